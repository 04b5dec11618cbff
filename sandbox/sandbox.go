// Package sandbox runs a container's process without a container engine.
// A POSIX shell (mvdan.cc/sh) interprets sh -c, scripts and entrypoints
// in-process, and every other command is looked up in a registry: the
// utilities are one WASI module run under wazero (sandbox/wasm), kill
// runs in-process. Native executables cannot run,
// except those a host registered as native programs (RegisterNative),
// whose code it links and runs in-process. All file access, by the shell
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
	Root     string // host directory holding the container's root filesystem; its writable upper layer when Image is set
	Image    string // read-only image template under Root, shared and never modified; "" for none
	Mounts   []Mount
	Args     []string
	Env      []string
	Dir      string // container working directory, "/" when empty
	Hostname string
	// Peers are names that resolve to loopback: the containers the
	// container's networks reach by name, which share the host's network
	// (and which the host's resolver does not know).
	Peers  []string
	User   string // name, uid, name:group or uid:gid, resolved in the image
	TTY    bool
	Height uint
	Width  uint
	Memory int64 // bytes each WASI process, and each built-in's buffered input, may use (docker run --memory); 0 for wasm.DefaultMemoryLimit
	// PidsLimit bounds the processes (commands, background jobs,
	// pipeline stages, subshells) live at once in the container, as
	// docker run --pids-limit; 0 for DefaultPidsLimit. Processes started
	// with the same Root share it; the first one's value holds.
	PidsLimit int64
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

// FS is the view a process of the container started with Root root and
// Image image sees: root laid over image (when not ""), with mounts. The
// agent's archive code and docker cp on stopped containers use it to see
// and change the same files as the container's processes.
func FS(root, image string, mounts []Mount) (*rootfs.FS, error) {
	return rootfs.NewLayered(root, image, mounts)
}

// Change is one path of a container that differs from its image.
type Change = rootfs.Change

// ChangeKind numbers changes as Docker's container changes API does.
type ChangeKind = rootfs.ChangeKind

// Change kinds, as docker diff reports them (C, A, D).
const (
	ChangeModified = rootfs.Modified
	ChangeAdded    = rootfs.Added
	ChangeDeleted  = rootfs.Deleted
)

// Changes lists what the container with writable dir root changed in its
// image template image, sorted by path, as docker diff reports it. Its
// cost grows with what the container wrote, not with the image's size.
func Changes(root, image string) ([]Change, error) {
	return rootfs.Changes(root, image)
}
