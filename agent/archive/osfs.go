package archive

import (
	"io"
	"io/fs"
	"os"
	"time"
)

// OS is the filesystem of the process's own container: the agent inside
// a real container, where "/" is the container's root and the container
// itself is the boundary.
type OS struct{}

func (OS) Lstat(name string) (fs.FileInfo, error)     { return os.Lstat(name) }
func (OS) Stat(name string) (fs.FileInfo, error)      { return os.Stat(name) }
func (OS) ReadDir(name string) ([]fs.DirEntry, error) { return os.ReadDir(name) }
func (OS) Readlink(name string) (string, error)       { return os.Readlink(name) }
func (OS) Open(name string) (io.ReadCloser, error)    { return os.Open(name) }
func (OS) Mkdir(name string, perm fs.FileMode) error  { return os.Mkdir(name, perm) }
func (OS) MkdirAll(name string, perm fs.FileMode) error {
	return os.MkdirAll(name, perm)
}
func (OS) Symlink(target, name string) error         { return os.Symlink(target, name) }
func (OS) RemoveAll(name string) error               { return os.RemoveAll(name) }
func (OS) Chmod(name string, mode fs.FileMode) error { return os.Chmod(name, mode) }
func (OS) Chtimes(name string, a, m time.Time) error { return os.Chtimes(name, a, m) }
func (OS) Create(name string, perm fs.FileMode) (io.WriteCloser, error) {
	return os.OpenFile(name, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, perm)
}
