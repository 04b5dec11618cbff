package sandbox

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// result is what a finished sandbox process produced.
type result struct {
	stdout, stderr string
	code           int
}

// run starts spec (Root defaults to a fresh temp dir) and waits for it
// until shortly before the test binary's own deadline, so that a hang
// fails with the output so far, and a slow machine is only slow.
func run(t *testing.T, spec Spec, stdin string) result {
	t.Helper()
	return runTo(t, &syncBuffer{}, spec, stdin)
}

// runTo is run with stdout written to out, which the test may watch.
func runTo(t *testing.T, out *syncBuffer, spec Spec, stdin string) result {
	t.Helper()
	if spec.Root == "" {
		spec.Root = t.TempDir()
	}
	var errb syncBuffer
	io := Stdio{Stdout: out, Stderr: &errb}
	if stdin != "" {
		io.Stdin = strings.NewReader(stdin)
	}
	p, err := Start(context.Background(), spec, io)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	select {
	case <-p.Done():
	case <-time.After(time.Until(hangAt(t))):
		p.Signal(9)
		t.Fatalf("process did not end; stdout=%q stderr=%q", out.String(), errb.String())
	}
	return result{stdout: out.String(), stderr: errb.String(), code: p.Wait()}
}

// hangAt is when waiting on the sandbox means it hangs: shortly before
// the test binary's deadline (go test -timeout), so that the test still
// fails with what it saw, or never without one.
func hangAt(t *testing.T) time.Time {
	d, ok := t.Deadline()
	if !ok {
		return time.Now().Add(24 * time.Hour)
	}
	return time.Now().Add(time.Until(d) * 9 / 10)
}

func sh(script string) []string { return []string{"sh", "-c", script} }

// files writes a tree under root: names ending in "/" are directories,
// values starting with "->" are symlinks.
func files(t *testing.T, root string, tree map[string]string) {
	t.Helper()
	for name, content := range tree {
		p := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		switch {
		case strings.HasSuffix(name, "/"):
			err := os.MkdirAll(p, 0o755)
			if err != nil {
				t.Fatal(err)
			}
		case strings.HasPrefix(content, "->"):
			if err := os.Symlink(strings.TrimPrefix(content, "->"), p); err != nil {
				t.Fatal(err)
			}
		default:
			mode := os.FileMode(0o644)
			if strings.HasPrefix(content, "#!") || strings.HasPrefix(content, "\x7fELF") || strings.HasPrefix(content, "exec:") {
				mode = 0o755
				content = strings.TrimPrefix(content, "exec:")
			}
			if err := os.WriteFile(p, []byte(content), mode); err != nil {
				t.Fatal(err)
			}
		}
	}
}
