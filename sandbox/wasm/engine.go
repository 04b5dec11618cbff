// Package wasm runs the sandbox's utilities as WASI modules under wazero.
// One multi-call module (built from ./utils by Build) holds them all; each
// process gets its own instance with an explicit ModuleConfig: its args,
// env, streams and the container's filesystem mounted at "/" through
// rootfs, so a module sees exactly what the shell sees and nothing else.
package wasm

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/experimental/sysfs"
	"github.com/tetratelabs/wazero/imports/wasi_snapshot_preview1"
	"github.com/tetratelabs/wazero/sys"

	"github.com/sockerless/sockerless/sandbox/rootfs"
)

const (
	pageSize = 64 << 10
	// DefaultMemoryLimit bounds a process whose container has no memory
	// limit, so that one runaway allocation cannot take the host down.
	DefaultMemoryLimit = 1 << 30
	maxPages           = 65536 // wasm32's 4 GiB
)

// Engine holds a compiled utility module, per memory limit, in wazero
// runtimes sharing one on-disk compilation cache: only the first runtime
// after install compiles, the others load the machine code from disk.
type Engine struct {
	binary []byte
	cache  wazero.CompilationCache

	mu  sync.Mutex
	rts map[uint32]*runtime
}

type runtime struct {
	rt  wazero.Runtime
	mod wazero.CompiledModule
	err error
}

// NewEngine loads the module at wasmPath; compiled code is cached in
// cacheDir.
func NewEngine(wasmPath, cacheDir string) (*Engine, error) {
	bin, err := os.ReadFile(wasmPath)
	if err != nil {
		return nil, fmt.Errorf("wasm: %w", err)
	}
	cache, err := wazero.NewCompilationCacheWithDir(cacheDir)
	if err != nil {
		return nil, fmt.Errorf("wasm: compilation cache: %w", err)
	}
	return &Engine{binary: bin, cache: cache, rts: map[uint32]*runtime{}}, nil
}

// Prime fills the on-disk compilation cache in a throwaway runtime, so
// the first process only loads compiled code (tens of milliseconds)
// while an idle local mode does not hold the compiled module in memory.
func (e *Engine) Prime(ctx context.Context) error {
	rt := wazero.NewRuntimeWithConfig(ctx, wazero.NewRuntimeConfig().WithCompilationCache(e.cache))
	defer rt.Close(ctx)
	if _, err := rt.CompileModule(ctx, e.binary); err != nil {
		return fmt.Errorf("wasm: compile: %w", err)
	}
	return nil
}

// Close releases every runtime and the cache handle (not its files).
func (e *Engine) Close(ctx context.Context) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	var errs []error
	for k, r := range e.rts {
		if r.rt != nil {
			errs = append(errs, r.rt.Close(ctx))
		}
		delete(e.rts, k)
	}
	errs = append(errs, e.cache.Close(ctx))
	return errors.Join(errs...)
}

// Pages converts a memory limit in bytes to wasm pages; 0 or less means
// DefaultMemoryLimit.
func Pages(limit int64) uint32 {
	if limit <= 0 {
		limit = DefaultMemoryLimit
	}
	p := (limit + pageSize - 1) / pageSize
	if p > maxPages {
		p = maxPages
	}
	return uint32(p)
}

// compiled returns the runtime for a memory limit, compiling (or loading
// from the cache) the module the first time. The limit is a runtime
// setting in wazero, hence one runtime per distinct limit.
func (e *Engine) compiled(pages uint32) (*runtime, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if r, ok := e.rts[pages]; ok {
		return r, r.err
	}
	ctx := context.Background()
	cfg := wazero.NewRuntimeConfig().
		WithCompilationCache(e.cache).
		WithMemoryLimitPages(pages).
		WithCloseOnContextDone(true)
	r := &runtime{rt: wazero.NewRuntimeWithConfig(ctx, cfg)}
	if _, r.err = wasi_snapshot_preview1.Instantiate(ctx, r.rt); r.err == nil {
		r.err = instantiateHost(ctx, r.rt)
	}
	if r.err == nil {
		r.mod, r.err = r.rt.CompileModule(ctx, e.binary)
	}
	if r.err != nil {
		r.err = fmt.Errorf("wasm: compile: %w", r.err)
	}
	e.rts[pages] = r
	return r, r.err
}

// Proc is one process to run: everything the module may see.
type Proc struct {
	Args   []string // Args[0] picks the utility
	Env    []string
	Dir    string // container working directory, handed over as PWD
	FS     *rootfs.FS
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	Memory int64 // bytes; 0 for DefaultMemoryLimit
	// Exec runs the commands the module asks for (xargs, find -exec);
	// nil refuses them with status 127.
	Exec ExecFunc
}

// ExitKilled is the status of a module ended by its context, as for a
// process killed by SIGKILL.
const ExitKilled = 128 + 9

// Run instantiates the module for p and returns its exit status. A
// cancelled ctx closes the module at its next function call or loop
// back-edge; an allocation past the memory limit fails inside the module
// (Go's runtime then exits with "out of memory").
func (e *Engine) Run(ctx context.Context, p Proc) (int, error) {
	r, err := e.compiled(Pages(p.Memory))
	if err != nil {
		return 0, err
	}
	stdin := p.Stdin
	if stdin == nil {
		stdin = eof{}
	}
	fsc := wazero.NewFSConfig().(sysfs.FSConfig).WithSysFSMount(&containerFS{
		fs: p.FS, std: rootfs.Stdio{In: stdin, Out: p.Stdout, Err: p.Stderr},
	}, "/")
	cfg := wazero.NewModuleConfig().
		WithName("").
		WithArgs(p.Args...).
		WithStdin(stdin).WithStdout(p.Stdout).WithStderr(p.Stderr).
		WithFSConfig(fsc).
		WithSysWalltime().WithSysNanotime().WithSysNanosleep().
		WithRandSource(rand.Reader)
	for _, kv := range withPWD(p.Env, p.Dir) {
		k, v, _ := strings.Cut(kv, "=")
		cfg = cfg.WithEnv(k, v)
	}
	mod, err := r.rt.InstantiateModule(context.WithValue(ctx, execKey{}, execCall{exec: p.Exec, stdin: stdin}), r.mod, cfg)
	if mod != nil {
		mod.Close(context.Background())
	}
	var exit *sys.ExitError
	switch {
	case err == nil:
		return 0, nil
	case errors.As(err, &exit) && (exit.ExitCode() == sys.ExitCodeContextCanceled || exit.ExitCode() == sys.ExitCodeDeadlineExceeded):
		return ExitKilled, nil
	case errors.As(err, &exit):
		return int(exit.ExitCode()), nil
	case ctx.Err() != nil:
		return ExitKilled, nil
	}
	return 0, fmt.Errorf("wasm: %s: %w", p.Args[0], err)
}

// withPWD hands the working directory over as PWD, the only entry: Go's
// wasip1 runtime starts in $PWD (WASI has no chdir) and keeps the first
// of duplicate variables.
func withPWD(env []string, dir string) []string {
	if dir == "" {
		dir = "/"
	}
	out := make([]string, 0, len(env)+1)
	for _, kv := range env {
		if !strings.HasPrefix(kv, "PWD=") {
			out = append(out, kv)
		}
	}
	return append(out, "PWD="+dir)
}

type eof struct{}

func (eof) Read([]byte) (int, error) { return 0, io.EOF }
