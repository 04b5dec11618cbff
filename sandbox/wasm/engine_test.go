package wasm_test

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sockerless/sockerless/sandbox/command"
	"github.com/sockerless/sockerless/sandbox/rootfs"
	"github.com/sockerless/sockerless/sandbox/wasm"
)

func rootFS(t testing.TB) *rootfs.FS {
	t.Helper()
	f, err := rootfs.New(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// TestCancelEndsYes: a module writing forever stops when its context is
// cancelled, with the killed status.
func TestCancelEndsYes(t *testing.T) {
	e := engine(t)
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	var n countWriter
	start := time.Now()
	code, err := e.Run(ctx, wasm.Proc{Args: []string{"yes"}, FS: rootFS(t), Stdout: &n, Stderr: io.Discard})
	if err != nil || code != wasm.ExitKilled {
		t.Fatalf("code %d err %v", code, err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("took %v to stop", d)
	}
	if n == 0 {
		t.Error("yes wrote nothing before the cancel")
	}
}

type countWriter int

func (c *countWriter) Write(p []byte) (int, error) { *c += countWriter(len(p)); return len(p), nil }

// TestRunHonoursDirAndEnv: relative paths start at Proc.Dir (as $PWD),
// and a stale PWD in the environment does not win.
func TestRunHonoursDirAndEnv(t *testing.T) {
	e := engine(t)
	fsys := rootFS(t)
	if err := os.MkdirAll(filepath.Join(fsys.Root(), "a/b"), 0o755); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(fsys.Root(), "a/b/f"), []byte("in b\n"), 0o644)
	var out, errb bytes.Buffer
	code, err := e.Run(context.Background(), wasm.Proc{
		Args: []string{"sed", "-n", "p", "f"}, Env: []string{"PWD=/", "X=1"}, Dir: "/a/b",
		FS: fsys, Stdout: &out, Stderr: &errb,
	})
	if err != nil || code != 0 || out.String() != "in b\n" {
		t.Fatalf("code %d err %v out %q stderr %q", code, err, out.String(), errb.String())
	}
}

// TestUnknownApplet: a name the module lacks is 127, not silence.
func TestUnknownApplet(t *testing.T) {
	var errb bytes.Buffer
	code, err := engine(t).Run(context.Background(), wasm.Proc{Args: []string{"nosuch"}, FS: rootFS(t), Stdout: io.Discard, Stderr: &errb})
	if err != nil || code != 127 || !strings.Contains(errb.String(), "applet not found") {
		t.Fatalf("code %d err %v stderr %q", code, err, errb.String())
	}
}

// TestModuleHoldsNames: the module holds exactly the names Register adds.
func TestModuleHoldsNames(t *testing.T) {
	var out bytes.Buffer
	if _, err := engine(t).Run(context.Background(), wasm.Proc{Args: []string{"utils"}, FS: rootFS(t), Stdout: &out, Stderr: io.Discard}); err != nil {
		t.Fatal(err)
	}
	if have, want := strings.Fields(out.String()), wasm.Names(); !slices.Equal(have, want) {
		t.Errorf("module holds %q\nRegister adds %q", have, want)
	}
}

// TestRegisterKeepsBuiltins: Go built-ins already registered keep their
// names; the others are added.
func TestRegisterKeepsBuiltins(t *testing.T) {
	r := command.NewRegistry()
	builtin := command.Func(func(context.Context, *command.Invocation) int { return 42 })
	r.Register("sed", builtin)
	wasm.Register(r, engine(t), rootFS(t), 0)
	c, _ := r.Lookup("sed")
	if c.Run(context.Background(), nil) != 42 {
		t.Error("sed built-in replaced")
	}
	if c, ok := r.Lookup("sha256sum"); !ok {
		t.Error("sha256sum not registered")
	} else if _, isWasm := c.(wasm.Command); !isWasm {
		t.Errorf("sha256sum is %T", c)
	}
}

func TestPages(t *testing.T) {
	for _, c := range []struct {
		bytes int64
		want  uint32
	}{{0, 16384}, {-1, 16384}, {1, 1}, {64 << 10, 1}, {64<<10 + 1, 2}, {64 << 20, 1024}, {1 << 40, 65536}} {
		if got := wasm.Pages(c.bytes); got != c.want {
			t.Errorf("Pages(%d) = %d, want %d", c.bytes, got, c.want)
		}
	}
}

// BenchmarkCompile is the first-run cost: compiling the utility module
// into an empty cache, plus one instantiation.
func BenchmarkCompile(b *testing.B) {
	dir, err := wasm.CacheDir()
	if err != nil {
		b.Fatal(err)
	}
	bin, err := wasm.Build(context.Background(), dir)
	if err != nil {
		b.Fatal(err)
	}
	fsys := rootFS(b)
	var total time.Duration
	for i := 0; i < b.N; i++ {
		start := time.Now()
		e, err := wasm.NewEngine(bin, b.TempDir())
		if err != nil {
			b.Fatal(err)
		}
		if code, err := e.Run(context.Background(), wasm.Proc{Args: []string{"true"}, FS: fsys, Stdout: io.Discard, Stderr: io.Discard}); err != nil || code != 0 {
			b.Fatalf("code %d err %v", code, err)
		}
		total += time.Since(start)
		e.Close(context.Background())
	}
	ms := float64(total.Milliseconds()) / float64(b.N)
	b.ReportMetric(ms, "ms/compile")
	b.Logf("first-run compile of the utility module (%d KiB): %.0f ms", fileKiB(bin), ms)
}

// BenchmarkCacheLoad is the cost after a restart: a new engine whose
// module comes from wazero's on-disk cache, plus one instantiation.
func BenchmarkCacheLoad(b *testing.B) {
	dir, err := wasm.CacheDir()
	if err != nil {
		b.Fatal(err)
	}
	bin, err := wasm.Build(context.Background(), dir)
	if err != nil {
		b.Fatal(err)
	}
	cache := b.TempDir()
	fsys := rootFS(b)
	p := wasm.Proc{Args: []string{"true"}, FS: fsys, Stdout: io.Discard, Stderr: io.Discard}
	warm, err := wasm.NewEngine(bin, cache)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := warm.Run(context.Background(), p); err != nil {
		b.Fatal(err)
	}
	warm.Close(context.Background())
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		e, err := wasm.NewEngine(bin, cache)
		if err != nil {
			b.Fatal(err)
		}
		if code, err := e.Run(context.Background(), p); err != nil || code != 0 {
			b.Fatalf("code %d err %v", code, err)
		}
		e.Close(context.Background())
	}
	ms := float64(time.Since(start).Milliseconds()) / float64(b.N)
	b.ReportMetric(ms, "ms/load")
	b.Logf("engine start from the on-disk compilation cache: %.0f ms", ms)
}

// BenchmarkInstantiate is the warm cost of one process: a new instance
// of the compiled module running `true`.
func BenchmarkInstantiate(b *testing.B) {
	e := engine(b)
	fsys := rootFS(b)
	p := wasm.Proc{Args: []string{"true"}, FS: fsys, Stdout: io.Discard, Stderr: io.Discard}
	if _, err := e.Run(context.Background(), p); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		if code, err := e.Run(context.Background(), p); err != nil || code != 0 {
			b.Fatalf("code %d err %v", code, err)
		}
	}
	ms := float64(time.Since(start).Microseconds()) / 1000 / float64(b.N)
	b.ReportMetric(ms, "ms/instantiate")
	b.Logf("warm instantiate+run of the utility module: %.2f ms", ms)
}

func fileKiB(p string) int64 {
	fi, err := os.Stat(p)
	if err != nil {
		return 0
	}
	return fi.Size() >> 10
}

// TestNoToolchain: without Go the module cannot be built, and says so.
func TestNoToolchain(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	if err := wasm.Available(); err == nil || !strings.Contains(err.Error(), "no Go toolchain") {
		t.Errorf("Available: %v", err)
	}
	if _, err := wasm.Build(context.Background(), t.TempDir()); err == nil {
		t.Error("Build succeeded without a toolchain")
	}
}
