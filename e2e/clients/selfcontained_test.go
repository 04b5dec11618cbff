package clients

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sockerless/sockerless/e2e/harness"
)

// TestSelfContainedBinary runs sockerless as a user who installed it
// would: the binary `make build` makes, copied alone into a temporary
// directory and started from there, with no go command on PATH and the
// checkout hidden from it (withoutCheckout), on each runtime (the engine
// runtime on the reference dockerd; the engine and native runtimes with
// the agent the binary embeds).
func TestSelfContainedBinary(t *testing.T) {
	for _, tg := range targets {
		if tg.name == "sandbox" {
			tg.use(t) // fails the test when the test image could not be built
		}
	}
	if _, err := exec.LookPath("make"); err != nil {
		t.Skip("no make to build the release binary:", err)
	}
	gowork, err := exec.Command("go", "env", "GOWORK").Output()
	root := strings.TrimSpace(string(gowork))
	if err != nil || root == "" || root == "off" {
		t.Fatalf("cannot find the workspace root: go env GOWORK gave %q (%v)", root, err)
	}
	built := filepath.Join(t.TempDir(), "sockerless")
	mk := exec.Command("make", "-s", "build", "BIN="+built)
	mk.Dir = filepath.Dir(root)
	if out, err := mk.CombinedOutput(); err != nil {
		t.Fatalf("make build: %v\n%s", err, out)
	}
	home := t.TempDir() // the installed binary's directory and working directory
	bin := filepath.Join(home, "sockerless")
	b, err := os.ReadFile(built)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bin, b, 0o755); err != nil {
		t.Fatal(err)
	}
	env := withoutGo(t, harness.CleanEnv())

	version := exec.Command(bin, "version")
	version.Dir, version.Env = home, env
	if out, err := version.Output(); err != nil || !strings.Contains(string(out), ", commit ") {
		t.Errorf("sockerless version: %q %v", out, err)
	}

	for _, c := range []struct {
		name string
		args func() ([]string, string) // extra flags, or why this runtime cannot run here
	}{
		{"sandbox", func() ([]string, string) { return []string{"--runtime", "sandbox"}, "" }},
		{"native", func() ([]string, string) { return []string{"--runtime", "native"}, harness.NativeUnavailable() }},
		{"engine", func() ([]string, string) {
			for _, tg := range targets {
				if tg.name == "dockerd" && tg.e != nil && tg.h.Skip == "" && tg.h.Fail == "" {
					return []string{"--runtime", "engine", "--engine-host", tg.e.Host}, ""
				}
			}
			return nil, "the engine runtime needs the reference dockerd"
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			extra, why := c.args()
			if why != "" {
				t.Skip(why)
			}
			dir, err := os.MkdirTemp("", "sockerless-selfcontained-")
			if err != nil {
				t.Fatal(err)
			}
			socket := filepath.Join(dir, "docker.sock")
			cmd := withoutCheckout(t, filepath.Dir(root), bin, append([]string{"--socket", socket, "--data", filepath.Join(dir, "data")}, extra...)...)
			cmd.Dir, cmd.Env = home, env
			e, err := harness.Launch("sockerless-"+c.name, cmd, socket, dir)
			if err != nil {
				t.Fatal(err)
			}
			defer e.Stop()
			t.Cleanup(func() {
				if t.Failed() {
					t.Logf("sockerless-%s output (tail):\n%s", c.name, e.LogTail())
				}
			})
			if err := harness.ImportImage(e, TestImage); err != nil {
				t.Fatal(err)
			}
			if r := e.Docker("run", "--rm", TestImage, "echo", "ok"); r.Code != 0 || r.Stdout != "ok\n" {
				t.Errorf("docker run --rm %s echo ok: code %d, stdout %q, stderr %q", TestImage, r.Code, r.Stdout, r.Stderr)
			}
			if r := e.Docker("version", "--format", "{{.Server.GitCommit}}"); r.Code != 0 || strings.TrimSpace(r.Stdout) == "" {
				t.Errorf("docker version shows no Git commit: code %d, %q %q", r.Code, r.Stdout, r.Stderr)
			}
		})
	}
}

// withoutCheckout is the command bin args with the checkout moved away:
// as root, it runs in a mount namespace of its own where an empty
// read-only tmpfs covers checkout, so nothing can be read from the
// sources. Without root the checkout stays in place, and the test says so.
func withoutCheckout(t *testing.T, checkout, bin string, args ...string) *exec.Cmd {
	t.Helper()
	unshare, err := exec.LookPath("unshare")
	if os.Geteuid() != 0 || err != nil {
		t.Logf("the checkout %s stays visible to the binary (not root, or no unshare: %v)", checkout, err)
		return exec.Command(bin, args...)
	}
	// unshare execs sh, which execs bin: the process started is bin's.
	script := `mount -t tmpfs -o ro sockerless-no-checkout "$1" && shift && exec "$@"`
	return exec.Command(unshare, append([]string{"--mount", "--propagation", "private", "sh", "-c", script, "sh", checkout, bin}, args...)...)
}

// withoutGo returns env with every PATH entry that holds a go command
// removed, and checks that none is left.
func withoutGo(t *testing.T, env []string) []string {
	t.Helper()
	out := make([]string, 0, len(env))
	for _, kv := range env {
		if dirs, ok := strings.CutPrefix(kv, "PATH="); ok {
			var keep []string
			for _, d := range filepath.SplitList(dirs) {
				if _, err := os.Stat(filepath.Join(d, "go")); err != nil {
					keep = append(keep, d)
				}
			}
			kv = "PATH=" + strings.Join(keep, string(filepath.ListSeparator))
		}
		out = append(out, kv)
	}
	look := exec.Command("sh", "-c", "command -v go")
	look.Env = out
	if b, err := look.Output(); err == nil {
		t.Fatalf("go is still on PATH: %s", b)
	}
	return out
}
