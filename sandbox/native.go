package sandbox

import (
	"bytes"
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"sync"
	"time"

	"github.com/sockerless/sockerless/sandbox/command"
	"github.com/sockerless/sockerless/sandbox/rootfs"
)

// Native is a program the sandbox runs in-process in place of a native
// executable it recognises. The sandbox cannot execute native binaries,
// but a host that links a program's code (the cloud simulators link
// sockerless's own agent) can run that code here, confined to the same
// container as a real execution of the binary would be.
type Native struct {
	Name string
	// Marker is a byte string the executable contains; a native
	// executable containing it is this program.
	Marker []byte
	// Run is the program; its result is the command's exit status. It
	// must return promptly once ctx is cancelled (the process is killed
	// or signalled to end).
	Run func(ctx context.Context, p *NativeProcess) int
}

// NativeProcess is what a native program gets in place of an operating
// system process: its command line, environment and streams, the
// container's filesystem, and the means to start sibling processes.
type NativeProcess struct {
	Args   []string // Args[0] is the name it was called by
	Exe    string   // the executable's absolute container path, symlinks resolved
	Env    []string // KEY=VALUE
	Dir    string   // container working directory, absolute
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	// FS is the container's confined view: its root over its image, with
	// its mounts. Paths are container paths.
	FS *rootfs.FS

	container Spec            // what the container was started with
	life      context.Context // ends when the program returns or is killed
}

// ProcessSpec is a process to start in a running container: everything
// else (root, image, mounts, hostname, limits) is the container's.
type ProcessSpec struct {
	Args   []string
	Env    []string // as given; PATH, HOSTNAME and HOME are added when missing
	Dir    string   // "/" when empty
	User   string   // the container's user when empty
	TTY    bool
	Height uint
	Width  uint
}

// Process is the container c runs in with spec's process in place of
// c's own: root, image, mounts, hostname and limits stay c's, and so
// does the user unless spec names one.
func (c Spec) Process(spec ProcessSpec) Spec {
	c.Args, c.Env, c.Dir, c.TTY, c.Height, c.Width = spec.Args, spec.Env, spec.Dir, spec.TTY, spec.Height, spec.Width
	if spec.User != "" {
		c.User = spec.User
	}
	return c
}

// Start starts another process in p's container. Cancelling ctx kills
// it, and so does the end of the native program: as when a container's
// main process exits, what it started does not outlive it.
func (p *NativeProcess) Start(ctx context.Context, spec ProcessSpec, stdio Stdio) (*Process, error) {
	ctx, cancel := context.WithCancel(ctx)
	proc, err := Start(ctx, p.container.Process(spec), stdio)
	if err != nil {
		cancel()
		return nil, err
	}
	stop := context.AfterFunc(p.life, cancel)
	go func() {
		<-proc.Done()
		stop()
		cancel()
	}()
	return proc, nil
}

var natives = struct {
	sync.RWMutex
	list []Native
	// seen caches which native (by name, "" for none) each executable
	// is, so that a large binary run again is not scanned again.
	seen map[nativeKey]string
}{seen: map[nativeKey]string{}}

// nativeKey identifies an executable's content well enough to cache the
// scan: a changed file gets a new size or modification time.
type nativeKey struct {
	path  string // host path
	size  int64
	mtime time.Time
}

// maxNativeCache bounds the scan cache: each ECS task installs its own
// copy of the agent, so keys are not reused forever.
const maxNativeCache = 256

// RegisterNative adds n, replacing a program of the same name. It
// panics on a native without a name, marker or Run, as a programming
// error.
func RegisterNative(n Native) {
	if n.Name == "" || len(n.Marker) == 0 || n.Run == nil {
		panic("sandbox: RegisterNative needs a Name, a Marker and Run")
	}
	natives.Lock()
	defer natives.Unlock()
	natives.list = append(removeNative(natives.list, n.Name), n)
	clear(natives.seen)
}

// removeNative returns a new list without name: readers keep the old one.
func removeNative(list []Native, name string) []Native {
	out := list[:0:0]
	for _, n := range list {
		if n.Name != name {
			out = append(out, n)
		}
	}
	return out
}

// MatchNative reports which registered native program the host file at
// path is, for a host that decides how to run an executable before any
// sandbox process exists (the Lambda simulator's image functions).
func MatchNative(path string) (Native, bool) {
	fi, err := os.Stat(path)
	if err != nil || !fi.Mode().IsRegular() {
		return Native{}, false
	}
	return matchNative(nativeKey{path, fi.Size(), fi.ModTime()}, func() (io.ReadCloser, error) { return os.Open(path) })
}

// nativeIn is MatchNative for the file at container path p of fsys.
func nativeIn(fsys *rootfs.FS, p string, fi fs.FileInfo) (Native, bool) {
	host, err := fsys.HostPath(p)
	if err != nil {
		return Native{}, false
	}
	return matchNative(nativeKey{host, fi.Size(), fi.ModTime()}, func() (io.ReadCloser, error) { return fsys.Open(p) })
}

func matchNative(key nativeKey, open func() (io.ReadCloser, error)) (Native, bool) {
	natives.RLock()
	list := natives.list
	name, cached := natives.seen[key]
	natives.RUnlock()
	if len(list) == 0 {
		return Native{}, false
	}
	if !cached {
		var err error
		if name, err = scanNatives(open, list); err != nil {
			return Native{}, false // unreadable now; not cached
		}
		natives.Lock()
		if len(natives.seen) >= maxNativeCache {
			clear(natives.seen)
		}
		natives.seen[key] = name
		natives.Unlock()
	}
	for _, n := range list {
		if n.Name == name {
			return n, true
		}
	}
	return Native{}, false
}

// scanNatives reads the file once and returns the name of the first
// native whose marker it contains, or "".
func scanNatives(open func() (io.ReadCloser, error), list []Native) (string, error) {
	r, err := open()
	if err != nil {
		return "", err
	}
	defer r.Close()
	overlap := 0
	for _, n := range list {
		overlap = max(overlap, len(n.Marker)-1)
	}
	// Each read is appended after the last overlap bytes of the one
	// before, so a marker split across two reads is still seen.
	buf := make([]byte, overlap+64<<10)
	kept := 0
	for {
		m, err := r.Read(buf[kept:])
		window := buf[:kept+m]
		for _, n := range list {
			if bytes.Contains(window, n.Marker) {
				return n.Name, nil
			}
		}
		if errors.Is(err, io.EOF) {
			return "", nil
		}
		if err != nil {
			return "", err
		}
		kept = min(overlap, len(window))
		copy(buf, window[len(window)-kept:])
	}
}

// runNative runs native n for the executable at container path exe, as
// the process inv describes.
func (s *system) runNative(ctx context.Context, inv *command.Invocation, exe string, n Native) int {
	// Like /proc/self/exe, Exe names the file, not a link to it.
	if real, err := s.fs.Resolve(exe, true); err == nil {
		exe = real
	}
	life, end := context.WithCancel(ctx)
	defer end()
	np := &NativeProcess{
		Args: inv.Args, Exe: exe, Env: inv.Env, Dir: inv.Dir,
		Stdin: inv.Stdin, Stdout: inv.Stdout, Stderr: inv.Stderr,
		FS: s.fs, container: s.proc.container, life: life,
	}
	return n.Run(ctx, np)
}
