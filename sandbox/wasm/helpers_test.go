package wasm_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sockerless/sockerless/sandbox"
	"github.com/sockerless/sockerless/sandbox/wasm"
)

// engine is the shared engine the sandbox uses; the test fails, not
// skips, when the module cannot be built: go test implies a toolchain.
func engine(t testing.TB) *wasm.Engine {
	t.Helper()
	e, err := wasm.Default()
	if err != nil {
		t.Fatalf("wasm.Default: %v", err)
	}
	return e
}

type result struct {
	stdout, stderr string
	code           int
}

// run starts spec in the sandbox (Root defaults to a fresh temp dir) and
// waits at most 20 seconds for it.
func run(t *testing.T, spec sandbox.Spec, stdin string) result {
	t.Helper()
	engine(t)
	if spec.Root == "" {
		spec.Root = t.TempDir()
	}
	var out, errb bytes.Buffer
	stdio := sandbox.Stdio{Stdout: &out, Stderr: &errb}
	if stdin != "" {
		stdio.Stdin = strings.NewReader(stdin)
	}
	p, err := sandbox.Start(context.Background(), spec, stdio)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	select {
	case <-p.Done():
	case <-time.After(20 * time.Second):
		p.Signal(9)
		t.Fatalf("process did not end; stdout=%q stderr=%q", out.String(), errb.String())
	}
	return result{stdout: out.String(), stderr: errb.String(), code: p.Wait()}
}

// files writes a tree under root: names ending in "/" are directories,
// values starting with "->" are symlinks.
func files(t *testing.T, root string, tree map[string]string) {
	t.Helper()
	for name, content := range tree {
		p := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		var err error
		switch {
		case strings.HasSuffix(name, "/"):
			err = os.MkdirAll(p, 0o755)
		case strings.HasPrefix(content, "->"):
			err = os.Symlink(strings.TrimPrefix(content, "->"), p)
		default:
			err = os.WriteFile(p, []byte(content), 0o644)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
}
