// Package wasm runs the sandbox's utilities as WASI modules under wazero.
// One multi-call module (built from ./utils by Build, or embedded by
// make: Prebuilt) holds them all; each
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
	"time"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/experimental"
	"github.com/tetratelabs/wazero/experimental/sysfs"
	"github.com/tetratelabs/wazero/imports/wasi_snapshot_preview1"
	"github.com/tetratelabs/wazero/sys"

	"github.com/sockerless/sockerless/sandbox/command"
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
	binary []byte       // the module without its data (splitData)
	image  *memoryImage // the data, each process's initial memory
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
	return newEngine(bin, cacheDir)
}

// newEngine loads the module bin; compiled code is cached in cacheDir.
func newEngine(bin []byte, cacheDir string) (*Engine, error) {
	cache, err := wazero.NewCompilationCacheWithDir(cacheDir)
	if err != nil {
		return nil, fmt.Errorf("wasm: compilation cache: %w", err)
	}
	stripped, image, err := splitData(bin)
	if err != nil {
		return nil, err
	}
	return &Engine{binary: stripped, image: newMemoryImage(image), cache: cache, rts: map[uint32]*runtime{}}, nil
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
	e.image.close()
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

// minPages is the least memory a process gets: the module's own (its
// data, read from the module compiled at the default limit) and 16 MiB
// for the Go runtime, which needs 2 just to start. A container
// limit below it gives the module this much: the program image, as a
// binary's pages, is not the process's to bound, and Docker itself
// refuses limits under 6 MiB.
func (e *Engine) minPages() (uint32, error) {
	r, err := e.compiled(Pages(0))
	if err != nil {
		return 0, err
	}
	for _, m := range r.mod.ExportedMemories() {
		return m.Min() + runtimePages, nil
	}
	return runtimePages, nil
}

const runtimePages = 16 << 20 / pageSize

// heap is what the Go runtime in the module may use: the process's
// memory above the module's own. The module keeps its collector under
// it (debug.SetMemoryLimit) and lets utilities buffer a quarter of it
// (sort, tail, uniq...), so that those fail with "out of memory" as
// busybox's do rather than the runtime dying.
func heap(pages, minPages uint32) int64 {
	return int64(pages-(minPages-runtimePages)) * pageSize
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
		WithMemoryLimitPages(pages)
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
	Dir    string // container working directory, handed over by sysinfo
	FS     *rootfs.FS
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	Memory int64 // bytes; 0 for DefaultMemoryLimit
	// Sys answers what the module asks of the sandbox through the host
	// module (see hostexec.go): running commands (xargs, env, timeout),
	// users, the kernel, PATH lookups. Nil refuses those requests.
	Sys command.System

	heap int64 // what the module's Go runtime may use, for sysinfo
}

func (p *Proc) stdin() io.Reader {
	if p.Stdin == nil {
		return eof{}
	}
	return p.Stdin
}

func (p *Proc) dir() string {
	if p.Dir == "" {
		return "/"
	}
	return p.Dir
}

// ExitKilled is the status of a module ended by its context, as for a
// process killed by SIGKILL.
const ExitKilled = 128 + 9

// Run instantiates the module for p and returns its exit status. A
// cancelled ctx ends the module at its next call to the host (see
// terminate.go); an allocation past the memory limit fails inside the
// module (Go's runtime then exits with "out of memory").
func (e *Engine) Run(ctx context.Context, p Proc) (int, error) {
	min, err := e.minPages()
	if err != nil {
		return 0, err
	}
	pages := max(Pages(p.Memory), min)
	r, err := e.compiled(pages)
	if err != nil {
		return 0, err
	}
	p.heap = heap(pages, min)
	// Not an *os.File: wazero would put it in blocking mode, and then
	// closing it (docker stop of a process reading its stdin) could no
	// longer wake a read.
	stdin := guardedReader{ctx: ctx, r: p.stdin()}
	stdout, stderr := guardWriter(ctx, p.Stdout), guardWriter(ctx, p.Stderr)
	fsc := wazero.NewFSConfig().(sysfs.FSConfig).WithSysFSMount(&containerFS{
		fs: p.FS, std: rootfs.Stdio{In: stdin, Out: stdout, Err: stderr}, ctx: ctx,
	}, "/")
	wall, mono := clocks(ctx)
	cfg := wazero.NewModuleConfig().
		WithName("").
		WithArgs(p.Args...).
		WithStdin(stdin).WithStdout(stdout).WithStderr(stderr).
		WithFSConfig(fsc).
		WithWalltime(wall, sys.ClockResolution(time.Microsecond)).
		WithNanotime(mono, sys.ClockResolution(1)).
		WithNanosleep(sleeper(ctx)).
		WithRandSource(rand.Reader)
	for _, kv := range p.Env {
		k, v, _ := strings.Cut(kv, "=")
		cfg = cfg.WithEnv(k, v)
	}
	mctx := experimental.WithMemoryAllocator(context.WithValue(ctx, procKey{}, &p), e.image.allocator())
	mctx, closeNet := withNet(ctx, mctx, p.FS)
	defer closeNet()
	mod, err := r.rt.InstantiateModule(mctx, r.mod, cfg)
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

type eof struct{}

func (eof) Read([]byte) (int, error) { return 0, io.EOF }
