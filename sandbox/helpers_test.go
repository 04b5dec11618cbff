package sandbox

import (
	"bytes"
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

// run starts spec (Root defaults to a fresh temp dir) and waits at most
// ten seconds for it.
func run(t *testing.T, spec Spec, stdin string) result {
	t.Helper()
	if spec.Root == "" {
		spec.Root = t.TempDir()
	}
	var out, errb bytes.Buffer
	io := Stdio{Stdout: &out, Stderr: &errb}
	if stdin != "" {
		io.Stdin = strings.NewReader(stdin)
	}
	p, err := Start(context.Background(), spec, io)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	select {
	case <-p.Done():
	case <-time.After(10 * time.Second):
		p.Signal(9)
		t.Fatalf("process did not end; stdout=%q stderr=%q", out.String(), errb.String())
	}
	return result{stdout: out.String(), stderr: errb.String(), code: p.Wait()}
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
