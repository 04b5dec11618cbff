package wasm_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sockerless/sockerless/sandbox"
)

// TestConfinement: paths a module names resolve inside the container,
// whatever "..", absolute symlinks or /proc say.
func TestConfinement(t *testing.T) {
	host, err := os.ReadFile("/etc/passwd")
	if err != nil {
		t.Skip("no host /etc/passwd to tell apart")
	}
	outside := t.TempDir()
	files(t, outside, map[string]string{"secret": "host secret\n"})
	cases := []struct{ name, script string }{
		{"dotdot from workdir", `sed -n p ../../../../../etc/passwd`},
		{"absolute symlink to /etc", `sed -n p /hostetc/passwd`},
		{"relative symlink climbing out", `sed -n p /w/up/etc/passwd`},
		{"symlink to a host path outside", `sed -n p /w/secret || true`},
		{"diff across dotdot", `diff /etc/passwd ../../../../etc/passwd && sed -n p /etc/passwd`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			root := t.TempDir()
			files(t, root, map[string]string{
				"etc/passwd": passwd, "hostetc": "->/etc", "w/up": "->../../../..",
				"w/secret": "->" + filepath.Join(outside, "secret"),
			})
			r := run(t, sandbox.Spec{Root: root, Dir: "/w", Args: []string{"sh", "-c", c.script}}, "")
			if strings.Contains(r.stdout, "host secret") || (r.stdout != "" && r.stdout == string(host)) {
				t.Fatalf("read the host: %q", r.stdout)
			}
			if c.name != "symlink to a host path outside" && r.stdout != passwd {
				t.Errorf("stdout %q, want the container's passwd; stderr %q", r.stdout, r.stderr)
			}
		})
	}
}

// TestNoHostProc: /proc would describe the host; a module finds none.
func TestNoHostProc(t *testing.T) {
	for _, p := range []string{"/proc/self/environ", "/proc/1/root/etc/passwd", "/proc/self/cwd/../../etc/passwd"} {
		r := run(t, sandbox.Spec{Args: []string{"sed", "-n", "p", p}}, "")
		if r.code == 0 || r.stdout != "" {
			t.Errorf("%s: code %d stdout %.200q", p, r.code, r.stdout)
		}
	}
}

// TestWriteCopiesUp: a module writing an image file changes the
// container's copy only; the image template stays as it was, mode too.
func TestWriteCopiesUp(t *testing.T) {
	image, upper := t.TempDir(), t.TempDir()
	files(t, image, map[string]string{"app/conf": "mode=a\n", "app/run.sh": "#!/bin/sh\necho a\n"})
	if err := os.Chmod(filepath.Join(image, "app/run.sh"), 0o755); err != nil {
		t.Fatal(err)
	}
	r := run(t, sandbox.Spec{Root: upper, Image: image, Dir: "/app", Args: []string{"sh", "-c",
		`sed -i 's/a/b/' conf run.sh && sed -n p conf && ./run.sh`}}, "")
	if r.code != 0 || r.stdout != "mode=b\nb\n" {
		t.Fatalf("code %d stdout %q stderr %q", r.code, r.stdout, r.stderr)
	}
	for name, want := range map[string]string{"app/conf": "mode=a\n", "app/run.sh": "#!/bin/sh\necho a\n"} {
		if b, _ := os.ReadFile(filepath.Join(image, name)); string(b) != want {
			t.Errorf("image %s changed: %q", name, b)
		}
	}
	if b, _ := os.ReadFile(filepath.Join(upper, "app/conf")); string(b) != "mode=b\n" {
		t.Errorf("upper conf %q", b)
	}
	if fi, err := os.Stat(filepath.Join(upper, "app/run.sh")); err != nil || fi.Mode().Perm() != 0o755 {
		t.Errorf("upper run.sh lost its mode: %v %v", fi, err)
	}
}

// TestCreatedModes: files and directories a module creates get the modes
// a process with umask 022 would, not wazero's private 0600/0700.
func TestCreatedModes(t *testing.T) {
	root := t.TempDir()
	r := run(t, sandbox.Spec{Root: root, Args: []string{"sh", "-c", `awk 'BEGIN { print "x" > "/out" }'`}}, "")
	if r.code != 0 {
		t.Fatalf("code %d stderr %q", r.code, r.stderr)
	}
	if fi, err := os.Stat(filepath.Join(root, "out")); err != nil || fi.Mode().Perm() != 0o644 {
		t.Errorf("created file: %v %v", fi, err)
	}
}

// TestMemoryLimit: a module that allocates without bound dies at the
// container's limit instead of taking the host's memory.
func TestMemoryLimit(t *testing.T) {
	start := time.Now()
	// diff reads both files whole; /dev/zero never ends.
	r := run(t, sandbox.Spec{Memory: 64 << 20, Args: []string{"diff", "/dev/zero", "/dev/null"}}, "")
	if r.code == 0 || r.code == 1 || !strings.Contains(r.stderr, "out of memory") {
		t.Fatalf("code %d stderr %.300q", r.code, r.stderr)
	}
	t.Logf("killed at 64 MiB after %v", time.Since(start).Round(time.Millisecond))
}

// TestKillEndsModule: docker stop/kill (the sandbox's SIGKILL or its
// context) ends a busy module promptly.
func TestKillEndsModule(t *testing.T) {
	engine(t)
	for _, how := range []string{"signal", "context"} {
		t.Run(how, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			p, err := sandbox.Start(ctx, sandbox.Spec{Root: t.TempDir(), Args: []string{"sha256sum", "/dev/zero"}}, sandbox.Stdio{})
			if err != nil {
				t.Fatal(err)
			}
			time.Sleep(300 * time.Millisecond)
			select {
			case <-p.Done():
				t.Fatal("ended before the kill")
			default:
			}
			start := time.Now()
			if how == "signal" {
				p.Signal(9)
			} else {
				cancel()
			}
			select {
			case <-p.Done():
			case <-time.After(5 * time.Second):
				t.Fatal("module still running 5s after the kill")
			}
			if code := p.Wait(); code != 137 {
				t.Errorf("exit %d, want 137", code)
			}
			t.Logf("ended %v after the kill", time.Since(start).Round(time.Millisecond))
		})
	}
}
