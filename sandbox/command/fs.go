package command

import (
	"io"
	"io/fs"
	"time"
)

// FS is the container's filesystem as a command sees it: names are
// container paths. The sandbox confines it, whoever implements it: in
// the WASI utility module it is the module's view of the preopened
// container root.
type FS interface {
	Open(name string) (io.ReadCloser, error)
	// OpenFile opens /dev/stdin, /dev/stdout and /dev/stderr as the
	// invocation's streams, like any other path.
	OpenFile(name string, flag int, perm fs.FileMode) (io.ReadWriteCloser, error)
	ReadFile(name string) ([]byte, error)
	// Stat and Lstat return FileInfos whose Sys is a *Stat.
	Stat(name string) (fs.FileInfo, error)
	Lstat(name string) (fs.FileInfo, error)
	// ReadDir lists a directory sorted by name.
	ReadDir(name string) ([]fs.DirEntry, error)
	Readlink(name string) (string, error)
	Mkdir(name string, perm fs.FileMode) error
	MkdirAll(name string, perm fs.FileMode) error
	Remove(name string) error
	RemoveAll(name string) error
	Rename(oldName, newName string) error
	Symlink(target, name string) error
	Chmod(name string, mode fs.FileMode) error
	// Chown sets name's owner as container ids, -1 keeping one; with
	// follow false a final symlink itself changes (lchown).
	Chown(name string, uid, gid int, follow bool) error
	Chtimes(name string, atime, mtime time.Time) error
}

// Stat is what FileInfo.Sys holds for files of an FS: the metadata
// fs.FileInfo lacks, with owners as container ids.
type Stat struct {
	UID, GID int
	Nlink    uint64
	Ino      uint64
	Blocks   int64 // 512-byte blocks
}

// StatOf returns fi's Stat, or one for a single-link root-owned file
// when fi carries none.
func StatOf(fi fs.FileInfo) Stat {
	if st, ok := fi.Sys().(*Stat); ok {
		return *st
	}
	return Stat{Nlink: 1}
}
