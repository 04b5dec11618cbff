package main

import (
	"io"
	"io/fs"
	"os"
	"path"
	"time"

	"github.com/sockerless/sockerless/sandbox/command"
	"github.com/sockerless/sockerless/sandbox/wasm/abi"
)

// guestFS is the container filesystem as the module sees it: files,
// directories and links through WASI (the container root is preopened
// at "/"), and through the host module what WASI preview 1 lacks:
// permission bits, owners and chmod (Go's wasip1 os.Chmod does nothing
// and its stat reports 0600/0700 for everything).
type guestFS struct{}

var _ command.FS = guestFS{}

func (guestFS) Open(name string) (io.ReadCloser, error) { return os.Open(name) }

// OpenFile creates files with the host's default mode (0644): WASI has
// no mode argument; callers that need another mode chmod afterwards.
func (guestFS) OpenFile(name string, flag int, perm fs.FileMode) (io.ReadWriteCloser, error) {
	return os.OpenFile(name, flag, perm)
}

func (guestFS) ReadFile(name string) ([]byte, error) { return os.ReadFile(name) }

func (guestFS) Stat(name string) (fs.FileInfo, error)  { return statHost("stat", name, true) }
func (guestFS) Lstat(name string) (fs.FileInfo, error) { return statHost("lstat", name, false) }

func (guestFS) ReadDir(name string) ([]fs.DirEntry, error) {
	ents, err := os.ReadDir(name)
	out := make([]fs.DirEntry, len(ents))
	for i, e := range ents {
		out[i] = dirEntry{DirEntry: e, path: path.Join(name, e.Name())}
	}
	return out, err
}

func (guestFS) Readlink(name string) (string, error) { return os.Readlink(name) }

// Mkdir creates with the host's default 0755 and then sets perm when it
// differs.
func (g guestFS) Mkdir(name string, perm fs.FileMode) error {
	if err := os.Mkdir(name, perm); err != nil {
		return err
	}
	if perm.Perm() != 0o755 {
		return g.Chmod(name, perm)
	}
	return nil
}

func (guestFS) MkdirAll(name string, perm fs.FileMode) error { return os.MkdirAll(name, perm) }
func (guestFS) Remove(name string) error                     { return os.Remove(name) }
func (guestFS) RemoveAll(name string) error                  { return os.RemoveAll(name) }
func (guestFS) Rename(oldName, newName string) error         { return os.Rename(oldName, newName) }
func (guestFS) Symlink(target, name string) error            { return os.Symlink(target, name) }

func (guestFS) Chmod(name string, mode fs.FileMode) error {
	if err := hostChmod(absPath(name), uint32(mode)); err != nil {
		return &fs.PathError{Op: "chmod", Path: name, Err: err}
	}
	return nil
}

func (guestFS) Chown(name string, uid, gid int, follow bool) error {
	if err := hostChown(absPath(name), uint32(uid), uint32(gid), follow); err != nil {
		op := "chown"
		if !follow {
			op = "lchown"
		}
		return &fs.PathError{Op: op, Path: name, Err: err}
	}
	return nil
}

func (guestFS) Chtimes(name string, atime, mtime time.Time) error {
	return os.Chtimes(name, atime, mtime)
}

func statHost(op, name string, follow bool) (fs.FileInfo, error) {
	st, err := hostStat(absPath(name), follow)
	if err != nil {
		return nil, &fs.PathError{Op: op, Path: name, Err: err}
	}
	return fileInfo{name: path.Base(name), st: st}, nil
}

// absPath makes name absolute against the working directory, which the
// host does not track for the module.
func absPath(name string) string {
	if path.IsAbs(name) {
		return path.Clean(name)
	}
	return path.Join(workDir(), name)
}

// workDir is the module's working directory, which main set from the
// host's sysinfo.
func workDir() string {
	if d, err := os.Getwd(); err == nil && path.IsAbs(d) {
		return d
	}
	return "/"
}

// fileInfo is a host stat as an fs.FileInfo; Sys is a *command.Stat.
type fileInfo struct {
	name string
	st   abi.Stat
}

func (f fileInfo) Name() string       { return f.name }
func (f fileInfo) Size() int64        { return f.st.Size }
func (f fileInfo) Mode() fs.FileMode  { return f.st.Mode }
func (f fileInfo) ModTime() time.Time { return f.st.ModTime }
func (f fileInfo) IsDir() bool        { return f.st.Mode.IsDir() }
func (f fileInfo) Sys() any {
	return &command.Stat{UID: int(f.st.UID), GID: int(f.st.GID), Nlink: f.st.Nlink, Ino: f.st.Ino, Blocks: f.st.Blocks}
}

// dirEntry answers Info with the host's stat.
type dirEntry struct {
	fs.DirEntry
	path string
}

func (d dirEntry) Info() (fs.FileInfo, error) { return statHost("lstat", d.path, false) }
