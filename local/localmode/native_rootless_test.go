package localmode

import (
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/sockerless/sockerless/functions/backends/local/native"
)

// notRootEnv makes TestNativeNeedsRootHelper run: it is set only in the
// unprivileged child TestNativeNeedsRoot starts.
const notRootEnv = "SOCKERLESS_TEST_NATIVE_NOT_ROOT"

// TestNativeNeedsRootHelper starts local mode with --runtime native as
// the user it runs as and prints the error, then with --runtime auto and
// prints what it chose and why.
func TestNativeNeedsRootHelper(t *testing.T) {
	if os.Getenv(notRootEnv) == "" {
		t.Skip("run by TestNativeNeedsRoot")
	}
	dir := t.TempDir()
	_, err := Start(context.Background(), Options{
		Socket: filepath.Join(dir, "docker.sock"), DataDir: filepath.Join(dir, "data"), Runtime: RuntimeNative,
	})
	if err == nil {
		t.Fatal("local mode started with --runtime native without root")
	}
	t.Logf("START ERROR: %v", err)
	inst, err := Start(context.Background(), Options{
		Socket: filepath.Join(dir, "auto.sock"), DataDir: filepath.Join(dir, "auto"), Runtime: RuntimeAuto,
	})
	if err != nil {
		t.Fatal(err)
	}
	defer inst.Close(context.Background())
	t.Logf("AUTO CHOSE: %s (%s)", inst.Runtime, inst.RuntimeWhy)
}

// TestNativeNeedsRoot runs local mode with --runtime native as an
// unprivileged user: it fails at startup, saying why and naming the
// sandbox runtime; --runtime auto chooses the sandbox, saying why.
func TestNativeNeedsRoot(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to run the test as another user")
	}
	if err := native.Supported(); err != nil {
		t.Skip(err) // not for want of root: the runtime is not built in
	}
	// A copy of the test binary the unprivileged user can execute.
	dir, err := os.MkdirTemp("", "sl-notroot-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	bin := filepath.Join(dir, "localmode.test")
	copyFile(t, os.Args[0], bin)
	cmd := exec.Command(bin, "-test.run=^TestNativeNeedsRootHelper$", "-test.v")
	cmd.Dir = dir
	cmd.Env = []string{notRootEnv + "=1", "TMPDIR=" + dir, "HOME=" + dir, "PATH=" + os.Getenv("PATH")}
	// The helper's temporary files go here too.
	if err := os.Chmod(dir, 0o777); err != nil {
		t.Fatal(err)
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("helper: %v\n%s", err, out)
	}
	got := string(out)
	for _, want := range []string{"START ERROR: --runtime native:", "needs root", "--runtime sandbox", "AUTO CHOSE: sandbox (auto: the native runtime needs root"} {
		if !strings.Contains(got, want) {
			t.Errorf("the startup error lacks %q:\n%s", want, got)
		}
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	in, err := os.Open(from)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_CREATE|os.O_WRONLY, 0o755)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
}
