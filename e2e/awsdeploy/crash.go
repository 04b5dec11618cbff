package awsdeploy

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
)

// KillFunction kills, with SIGKILL, every process of the simulator's
// instances of function (found by the AWS_LAMBDA_FUNCTION_NAME in their
// environment), as a crashed Lambda sandbox; it returns how many.
func KillFunction(t testing.TB, function string) int {
	t.Helper()
	want := []byte("AWS_LAMBDA_FUNCTION_NAME=" + function + "\x00")
	dirs, _ := filepath.Glob("/proc/[0-9]*")
	n := 0
	for _, dir := range dirs {
		env, err := os.ReadFile(filepath.Join(dir, "environ"))
		if err != nil || !bytes.Contains(env, want) {
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
