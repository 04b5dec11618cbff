package hub_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path/filepath"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/sockerless/sockerless/agent"
	"github.com/sockerless/sockerless/agent/archive"
	"github.com/sockerless/sockerless/agent/proto"
)

// funcRuntime is an agent.Runtime whose processes are Go functions,
// looked up by Args[0]. Signals and resizes arrive on channels, so tests
// can see exactly what reached the process. Paths map under root.
type funcRuntime struct {
	root    string
	fns     map[string]procFunc
	nextPid atomic.Int64
}

type procFunc func(ctx context.Context, p *funcProc) int

type funcProc struct {
	Args    []string
	Spec    proto.ProcessSpec
	Stdin   io.Reader // never nil: empty when the spec has no stdin
	Stdout  io.Writer
	Stderr  io.Writer
	Signals chan syscall.Signal
	Resizes chan [2]uint

	pid  int
	done chan struct{}
	code int
}

func (r *funcRuntime) Start(ctx context.Context, spec proto.ProcessSpec, stdio agent.Stdio) (agent.Process, error) {
	fn, ok := r.fns[spec.Args[0]]
	if !ok {
		return nil, fmt.Errorf("%s: %w", spec.Args[0], fs.ErrNotExist)
	}
	p := &funcProc{Args: spec.Args, Spec: spec, Stdin: stdio.Stdin, Stdout: stdio.Stdout, Stderr: stdio.Stderr,
		Signals: make(chan syscall.Signal, 8), Resizes: make(chan [2]uint, 8),
		pid: int(r.nextPid.Add(1)), done: make(chan struct{})}
	if p.Stdin == nil {
		p.Stdin = eofReader{}
	}
	go func() {
		defer close(p.done)
		p.code = fn(ctx, p)
	}()
	return p, nil
}

func (r *funcRuntime) FS() (archive.FS, error) { return dirFS{r.root}, nil }

// dirFS serves container paths from a host directory, for tests only:
// it does not confine symlinks the way a container's own FS does.
type dirFS struct{ root string }

func (d dirFS) host(p string) string { return filepath.Join(d.root, filepath.FromSlash(p)) }

func (d dirFS) Lstat(p string) (fs.FileInfo, error)     { return archive.OS{}.Lstat(d.host(p)) }
func (d dirFS) Stat(p string) (fs.FileInfo, error)      { return archive.OS{}.Stat(d.host(p)) }
func (d dirFS) ReadDir(p string) ([]fs.DirEntry, error) { return archive.OS{}.ReadDir(d.host(p)) }
func (d dirFS) Readlink(p string) (string, error)       { return archive.OS{}.Readlink(d.host(p)) }
func (d dirFS) Open(p string) (io.ReadCloser, error)    { return archive.OS{}.Open(d.host(p)) }
func (d dirFS) Mkdir(p string, m fs.FileMode) error     { return archive.OS{}.Mkdir(d.host(p), m) }
func (d dirFS) MkdirAll(p string, m fs.FileMode) error  { return archive.OS{}.MkdirAll(d.host(p), m) }
func (d dirFS) Symlink(target, p string) error          { return archive.OS{}.Symlink(target, d.host(p)) }
func (d dirFS) RemoveAll(p string) error                { return archive.OS{}.RemoveAll(d.host(p)) }
func (d dirFS) Chmod(p string, m fs.FileMode) error     { return archive.OS{}.Chmod(d.host(p), m) }
func (d dirFS) Chtimes(p string, a, m time.Time) error  { return archive.OS{}.Chtimes(d.host(p), a, m) }
func (d dirFS) Create(p string, m fs.FileMode) (io.WriteCloser, error) {
	return archive.OS{}.Create(d.host(p), m)
}

func (p *funcProc) Wait() int { <-p.done; return p.code }
func (p *funcProc) Pid() int  { return p.pid }

func (p *funcProc) Signal(sig syscall.Signal) error {
	select {
	case p.Signals <- sig:
		return nil
	case <-p.done:
		return errors.New("process exited")
	}
}

func (p *funcProc) Resize(h, w uint) error {
	if !p.Spec.TTY {
		return errors.New("no tty")
	}
	p.Resizes <- [2]uint{h, w}
	return nil
}

type eofReader struct{}

func (eofReader) Read([]byte) (int, error) { return 0, io.EOF }

// memLogs is a LogSink that keeps everything.
type memLogs struct {
	mu     sync.Mutex
	stdout []byte
	stderr []byte
}

func (l *memLogs) Log(stream int, p []byte) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if stream == 2 {
		l.stderr = append(l.stderr, p...)
	} else {
		l.stdout = append(l.stdout, p...)
	}
}

func (l *memLogs) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return string(l.stdout) + "|" + string(l.stderr)
}

// syncBuffer is a goroutine-safe bytes buffer that can signal when a
// substring shows up.
type syncBuffer struct {
	mu   sync.Mutex
	b    []byte
	want string
	seen chan struct{}
}

func newSyncBuffer(want string) *syncBuffer {
	return &syncBuffer{want: want, seen: make(chan struct{})}
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.b = append(s.b, p...)
	if s.want != "" && bytes.Contains(s.b, []byte(s.want)) {
		s.want = ""
		close(s.seen)
	}
	return len(p), nil
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return string(s.b)
}
