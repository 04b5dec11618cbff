package wasm

import (
	"context"
	"io"
	"io/fs"
	"os"
	"strings"
	"time"

	experimentalsys "github.com/tetratelabs/wazero/experimental/sys"
	"github.com/tetratelabs/wazero/sys"

	"github.com/sockerless/sockerless/sandbox/rootfs"
)

// containerFS adapts a container's rootfs.FS to wazero's sys.FS, mounted
// at "/": every path a module names goes through rootfs resolution, so
// "..", absolute symlinks and the layering behave as for the shell.
// Wazero hands paths relative to the mount ("etc/passwd", "."), already
// cleaned and never escaping it; rootfs confines them again anyway.
type containerFS struct {
	experimentalsys.UnimplementedFS
	fs  *rootfs.FS
	std rootfs.Stdio // what /dev/stdin, /dev/stdout and /dev/stderr reach
	// ctx is the process's: every open, read and write checks it, so
	// that a killed process reading or writing files stops (terminate.go).
	ctx context.Context
}

// WASI preview 1 carries no permission bits: wazero asks for 0600 files
// and 0700 directories whatever the program wanted. What a Unix process
// gets with the usual umask 022 is closer to what scripts expect.
const (
	createMode = 0o644
	mkdirMode  = 0o755
)

func cpath(p string) string { return "/" + strings.TrimSuffix(p, "/") }

// fileOffset is int64 under a name: wazero's File.Seek returns an Errno,
// not an error, and go vet's io.Seeker signature check keys on int64.
type fileOffset = int64

func errno(err error) experimentalsys.Errno {
	if err == nil {
		return 0
	}
	return experimentalsys.UnwrapOSError(err)
}

// osFlag converts wazero's open flags to os ones.
func osFlag(flag experimentalsys.Oflag) int {
	var f int
	switch flag & (experimentalsys.O_RDONLY | experimentalsys.O_RDWR | experimentalsys.O_WRONLY) {
	case experimentalsys.O_RDWR:
		f = os.O_RDWR
	case experimentalsys.O_WRONLY:
		f = os.O_WRONLY
	default:
		f = os.O_RDONLY
	}
	for _, m := range []struct {
		w experimentalsys.Oflag
		o int
	}{
		{experimentalsys.O_APPEND, os.O_APPEND},
		{experimentalsys.O_CREAT, os.O_CREATE},
		{experimentalsys.O_EXCL, os.O_EXCL},
		{experimentalsys.O_TRUNC, os.O_TRUNC},
		{experimentalsys.O_SYNC, os.O_SYNC},
	} {
		if flag&m.w != 0 {
			f |= m.o
		}
	}
	return f
}

// OpenFile opens directories as a merged listing of their layers, files
// through rootfs.OpenFile (which copies image files up before a write),
// and virtual devices as streams.
func (c *containerFS) OpenFile(p string, flag experimentalsys.Oflag, perm fs.FileMode) (experimentalsys.File, experimentalsys.Errno) {
	stopIfDone(c.ctx)
	name := cpath(p)
	var fi fs.FileInfo
	var err error
	if flag&experimentalsys.O_NOFOLLOW != 0 {
		fi, err = c.fs.Lstat(name)
		if err == nil && fi.Mode()&fs.ModeSymlink != 0 {
			return nil, experimentalsys.ELOOP
		}
	} else {
		fi, err = c.fs.Stat(name)
	}
	switch {
	case err == nil && fi.IsDir():
		if osFlag(flag)&(os.O_WRONLY|os.O_RDWR) != 0 {
			return nil, experimentalsys.EISDIR
		}
		return &dirFile{fs: c.fs, name: name}, 0
	case err == nil && flag&experimentalsys.O_DIRECTORY != 0:
		return nil, experimentalsys.ENOTDIR
	case err == nil && flag&(experimentalsys.O_CREAT|experimentalsys.O_EXCL) == experimentalsys.O_CREAT|experimentalsys.O_EXCL:
		return nil, experimentalsys.EEXIST
	case err != nil && flag&experimentalsys.O_CREAT == 0:
		return nil, errno(err)
	case strings.HasSuffix(p, "/"):
		return nil, experimentalsys.ENOTDIR
	}
	f, err := c.fs.OpenFile(name, osFlag(flag), createMode, c.std)
	if err != nil {
		return nil, errno(err)
	}
	if osf, ok := f.(*os.File); ok {
		return &osFile{f: osf, append: flag&experimentalsys.O_APPEND != 0, ctx: c.ctx}, 0
	}
	return &streamFile{rw: f, name: name, ctx: c.ctx}, 0
}

func (c *containerFS) Lstat(p string) (sys.Stat_t, experimentalsys.Errno) {
	fi, err := c.fs.Lstat(cpath(p))
	if err != nil {
		return sys.Stat_t{}, errno(err)
	}
	return sys.NewStat_t(fi), 0
}

func (c *containerFS) Stat(p string) (sys.Stat_t, experimentalsys.Errno) {
	fi, err := c.fs.Stat(cpath(p))
	if err != nil {
		return sys.Stat_t{}, errno(err)
	}
	return sys.NewStat_t(fi), 0
}

func (c *containerFS) Readlink(p string) (string, experimentalsys.Errno) {
	t, err := c.fs.Readlink(cpath(p))
	return t, errno(err)
}

func (c *containerFS) Mkdir(p string, _ fs.FileMode) experimentalsys.Errno {
	return errno(c.fs.Mkdir(cpath(p), mkdirMode))
}

func (c *containerFS) Chmod(p string, perm fs.FileMode) experimentalsys.Errno {
	return errno(c.fs.Chmod(cpath(p), perm))
}

func (c *containerFS) Rename(from, to string) experimentalsys.Errno {
	return errno(c.fs.Rename(cpath(from), cpath(to)))
}

func (c *containerFS) Rmdir(p string) experimentalsys.Errno {
	fi, err := c.fs.Lstat(cpath(p))
	if err != nil {
		return errno(err)
	}
	if !fi.IsDir() {
		return experimentalsys.ENOTDIR
	}
	return errno(c.fs.Remove(cpath(p)))
}

func (c *containerFS) Unlink(p string) experimentalsys.Errno {
	fi, err := c.fs.Lstat(cpath(p))
	if err != nil {
		return errno(err)
	}
	if fi.IsDir() {
		return experimentalsys.EISDIR
	}
	return errno(c.fs.Remove(cpath(p)))
}

// Link is refused: a hard link between layers (or into a mount) cannot be
// made without copying, which would not be a link; rootfs has no link op.
func (c *containerFS) Link(_, _ string) experimentalsys.Errno { return experimentalsys.EPERM }

func (c *containerFS) Symlink(target, link string) experimentalsys.Errno {
	return errno(c.fs.Symlink(target, cpath(link)))
}

func (c *containerFS) Utimens(p string, atim, mtim int64) experimentalsys.Errno {
	name := cpath(p)
	a, m, e := times(func() (fs.FileInfo, error) { return c.fs.Stat(name) }, atim, mtim)
	if e != 0 {
		return e
	}
	return errno(c.fs.Chtimes(name, a, m))
}

// times turns WASI timestamps (UTIME_OMIT keeps the current value) into
// the times to set.
func times(stat func() (fs.FileInfo, error), atim, mtim int64) (time.Time, time.Time, experimentalsys.Errno) {
	var cur sys.Stat_t
	if atim == experimentalsys.UTIME_OMIT || mtim == experimentalsys.UTIME_OMIT {
		fi, err := stat()
		if err != nil {
			return time.Time{}, time.Time{}, errno(err)
		}
		cur = sys.NewStat_t(fi)
	}
	if atim == experimentalsys.UTIME_OMIT {
		atim = cur.Atim
	}
	if mtim == experimentalsys.UTIME_OMIT {
		mtim = cur.Mtim
	}
	return time.Unix(0, atim), time.Unix(0, mtim), 0
}

// dirFile is an open directory; Readdir lists it through rootfs, so a
// layered directory shows upper and lower merged without whiteouts.
type dirFile struct {
	experimentalsys.DirFile
	fs      *rootfs.FS
	name    string
	entries []fs.DirEntry // nil until the first Readdir after open or rewind
	read    bool
}

func (d *dirFile) Dev() (uint64, experimentalsys.Errno) {
	st, e := d.Stat()
	return st.Dev, e
}

func (d *dirFile) Ino() (sys.Inode, experimentalsys.Errno) {
	st, e := d.Stat()
	return st.Ino, e
}

func (d *dirFile) Stat() (sys.Stat_t, experimentalsys.Errno) {
	fi, err := d.fs.Stat(d.name)
	if err != nil {
		return sys.Stat_t{}, errno(err)
	}
	return sys.NewStat_t(fi), 0
}

func (d *dirFile) Seek(offset fileOffset, whence int) (int64, experimentalsys.Errno) {
	if offset != 0 || whence != io.SeekStart {
		return 0, experimentalsys.EINVAL
	}
	d.entries, d.read = nil, false
	return 0, 0
}

func (d *dirFile) Readdir(n int) ([]experimentalsys.Dirent, experimentalsys.Errno) {
	if !d.read {
		es, err := d.fs.ReadDir(d.name)
		if err != nil {
			return nil, errno(err)
		}
		d.entries, d.read = es, true
	}
	take := len(d.entries)
	if n > 0 && n < take {
		take = n
	}
	out := make([]experimentalsys.Dirent, take)
	for i, e := range d.entries[:take] {
		out[i] = experimentalsys.Dirent{Name: e.Name(), Type: e.Type()}
		if info, err := e.Info(); err == nil {
			out[i].Ino = sys.NewStat_t(info).Ino
		}
	}
	d.entries = d.entries[take:]
	return out, 0
}

func (d *dirFile) Sync() experimentalsys.Errno     { return 0 }
func (d *dirFile) Datasync() experimentalsys.Errno { return 0 }
func (d *dirFile) Close() experimentalsys.Errno    { return 0 }

func (d *dirFile) Utimens(atim, mtim int64) experimentalsys.Errno {
	a, m, e := times(func() (fs.FileInfo, error) { return d.fs.Stat(d.name) }, atim, mtim)
	if e != 0 {
		return e
	}
	return errno(d.fs.Chtimes(d.name, a, m))
}

// streamFile is a virtual device (/dev/null, /dev/stdout, ...): no
// seeking, and it reports itself as a character device.
type streamFile struct {
	experimentalsys.UnimplementedFile
	rw   io.ReadWriteCloser
	name string
	ctx  context.Context
}

func (s *streamFile) IsDir() (bool, experimentalsys.Errno) { return false, 0 }

func (s *streamFile) Stat() (sys.Stat_t, experimentalsys.Errno) {
	return sys.Stat_t{Mode: fs.ModeDevice | fs.ModeCharDevice | 0o666, Nlink: 1}, 0
}

func (s *streamFile) Read(p []byte) (int, experimentalsys.Errno) {
	stopIfDone(s.ctx)
	n, err := s.rw.Read(p)
	if err == io.EOF {
		err = nil
	}
	return n, errno(err)
}

func (s *streamFile) Write(p []byte) (int, experimentalsys.Errno) {
	stopIfDone(s.ctx)
	n, err := s.rw.Write(p)
	return n, errno(err)
}

func (s *streamFile) Seek(fileOffset, int) (int64, experimentalsys.Errno) {
	return 0, experimentalsys.EBADF // wazero has no ESPIPE; Go reads EBADF as "not seekable"
}

func (s *streamFile) Close() experimentalsys.Errno { return errno(s.rw.Close()) }

// osFile is a real file on the host, opened through rootfs.
type osFile struct {
	experimentalsys.UnimplementedFile
	f      *os.File
	append bool
	ctx    context.Context
}

func (o *osFile) Dev() (uint64, experimentalsys.Errno) {
	st, e := o.Stat()
	return st.Dev, e
}

func (o *osFile) Ino() (sys.Inode, experimentalsys.Errno) {
	st, e := o.Stat()
	return st.Ino, e
}

func (o *osFile) IsDir() (bool, experimentalsys.Errno) { return false, 0 }
func (o *osFile) IsAppend() bool                       { return o.append }

// SetAppend cannot change an open host file's mode portably; Go's
// wasip1 runtime only asks for it when it already matches.
func (o *osFile) SetAppend(enable bool) experimentalsys.Errno {
	if enable != o.append {
		return experimentalsys.ENOSYS
	}
	return 0
}

func (o *osFile) Stat() (sys.Stat_t, experimentalsys.Errno) {
	fi, err := o.f.Stat()
	if err != nil {
		return sys.Stat_t{}, errno(err)
	}
	return sys.NewStat_t(fi), 0
}

func (o *osFile) Read(p []byte) (int, experimentalsys.Errno) {
	stopIfDone(o.ctx)
	n, err := o.f.Read(p)
	if err == io.EOF {
		err = nil
	}
	return n, errno(err)
}

func (o *osFile) Pread(p []byte, off int64) (int, experimentalsys.Errno) {
	stopIfDone(o.ctx)
	n, err := o.f.ReadAt(p, off)
	if err == io.EOF {
		err = nil
	}
	return n, errno(err)
}

func (o *osFile) Seek(off fileOffset, whence int) (int64, experimentalsys.Errno) {
	n, err := o.f.Seek(off, whence)
	return n, errno(err)
}

func (o *osFile) Write(p []byte) (int, experimentalsys.Errno) {
	stopIfDone(o.ctx)
	n, err := o.f.Write(p)
	return n, errno(err)
}

func (o *osFile) Pwrite(p []byte, off int64) (int, experimentalsys.Errno) {
	stopIfDone(o.ctx)
	if o.append {
		return 0, experimentalsys.EINVAL // os.File refuses WriteAt in append mode
	}
	n, err := o.f.WriteAt(p, off)
	return n, errno(err)
}

func (o *osFile) Truncate(size int64) experimentalsys.Errno { return errno(o.f.Truncate(size)) }
func (o *osFile) Sync() experimentalsys.Errno               { return errno(o.f.Sync()) }
func (o *osFile) Datasync() experimentalsys.Errno           { return errno(o.f.Sync()) }
func (o *osFile) Close() experimentalsys.Errno              { return errno(o.f.Close()) }

func (o *osFile) Utimens(atim, mtim int64) experimentalsys.Errno {
	a, m, e := times(o.f.Stat, atim, mtim)
	if e != 0 {
		return e
	}
	return errno(chtimes(o.f, a, m))
}
