package rootfs

import (
	"io"
	"io/fs"
	"os"
	"strings"
	"syscall"
)

// Stdio is the standard streams of whoever opens a file, so that
// /dev/stdout and friends reach the caller's streams, not the host's.
type Stdio struct {
	In       io.Reader
	Out, Err io.Writer
}

type device int

const (
	devNone device = iota
	devNull
	devZero
	devStdin
	devStdout
	devStderr
)

// deviceOf names the virtual device at a resolved container path. Images
// ship an empty /dev (the engine mounts a tmpfs there); these are the ones
// scripts rely on, e.g. nginx images link their logs to /dev/stdout.
func deviceOf(p string) device {
	switch p {
	case "/dev/null":
		return devNull
	case "/dev/zero":
		return devZero
	case "/dev/stdin", "/dev/fd/0":
		return devStdin
	case "/dev/stdout", "/dev/fd/1", "/dev/tty":
		return devStdout
	case "/dev/stderr", "/dev/fd/2":
		return devStderr
	}
	return devNone
}

// isProc reports whether p is inside /proc, which the sandbox does not
// provide: it would describe the host, not the container.
func isProc(p string) bool { return strings.HasPrefix(p, "/proc/") }

func openDevice(d device, flag int, std Stdio) (io.ReadWriteCloser, error) {
	switch d {
	case devNull:
		return os.OpenFile(os.DevNull, flag&^(os.O_CREATE|os.O_EXCL), 0)
	case devZero:
		return zero{}, nil
	case devStdin:
		return stream{r: std.In}, nil
	case devStdout:
		return stream{w: std.Out}, nil
	default:
		return stream{w: std.Err}, nil
	}
}

// stream exposes one of the caller's streams as a file; closing it must
// not close the stream itself.
type stream struct {
	r io.Reader
	w io.Writer
}

func (s stream) Read(p []byte) (int, error) {
	if s.r == nil {
		return 0, syscall.EBADF
	}
	return s.r.Read(p)
}

func (s stream) Write(p []byte) (int, error) {
	if s.w == nil {
		return 0, syscall.EBADF
	}
	return s.w.Write(p)
}

func (stream) Close() error { return nil }

type zero struct{}

func (zero) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}
func (zero) Write(p []byte) (int, error) { return len(p), nil }
func (zero) Close() error                { return nil }

// deviceInfo describes a virtual device as a character device.
func deviceInfo(p string) (fs.FileInfo, error) {
	fi, err := os.Stat(os.DevNull)
	if err != nil {
		return nil, err
	}
	return namedInfo{FileInfo: fi, name: p[strings.LastIndexByte(p, '/')+1:]}, nil
}

type namedInfo struct {
	fs.FileInfo
	name string
}

func (n namedInfo) Name() string { return n.name }
