// Package sandbox runs a container's process without a container engine.
// A POSIX shell (mvdan.cc/sh) interprets sh -c, scripts and entrypoints,
// and every other command is looked up in a registry of implementations
// (Go built-ins today, WASI modules later). All file access, by the shell
// and by commands, goes through a view of the container's root directory
// and mounts that never reaches outside it.
package sandbox

import (
	"io"

	"github.com/sockerless/sockerless/sandbox/rootfs"
)

// Mount maps a host file or directory onto a container path.
type Mount = rootfs.Mount

// Spec is the process to run and the filesystem it sees.
type Spec struct {
	Root     string // host directory holding the container's root filesystem
	Mounts   []Mount
	Args     []string
	Env      []string
	Dir      string // container working directory, "/" when empty
	Hostname string
	User     string // name, uid, name:group or uid:gid, resolved in the image
	TTY      bool
	Height   uint
	Width    uint
}

// Stdio is the process's standard streams. Nil streams read as empty and
// discard writes.
type Stdio struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
}

// DefaultPath is the PATH a process gets when its environment has none,
// as Docker sets it.
const DefaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

// HostPath maps a container path to the host path it names through root
// and mounts. Symlinks are resolved inside the container like chroot
// does, so the result is always under root or a mount source.
func HostPath(root string, mounts []Mount, containerPath string) (string, error) {
	f, err := rootfs.New(root, mounts)
	if err != nil {
		return "", err
	}
	return f.HostPath(containerPath)
}
