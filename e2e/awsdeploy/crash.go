package awsdeploy

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
)

// KillFunction kills, with SIGKILL, every process of this simulator's
// instances of function (found by the function name and the simulator's
// endpoint in their environment, so other test runs' are left alone),
// as a crashed Lambda sandbox; it returns how many.
func (d *Deployment) KillFunction(t testing.TB, function string) int {
	t.Helper()
	want := []byte("AWS_LAMBDA_FUNCTION_NAME=" + function + "\x00")
	sim := []byte("AWS_ENDPOINT_URL=" + d.Endpoint + "\x00")
	dirs, _ := filepath.Glob("/proc/[0-9]*")
	n := 0
	for _, dir := range dirs {
		env, err := os.ReadFile(filepath.Join(dir, "environ"))
		if err != nil || !bytes.Contains(env, want) || !bytes.Contains(env, sim) {
			continue
		}
		pid, _ := strconv.Atoi(filepath.Base(dir))
		if pid == os.Getpid() {
			continue
		}
		if syscall.Kill(pid, syscall.SIGKILL) == nil {
			n++
		}
	}
	return n
}
