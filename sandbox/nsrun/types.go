package nsrun

import "io"

// Spec is what a container is, below any Docker or cloud semantics: its
// root, namespaces, mounts and limits.
type Spec struct {
	Rootfs   string // the container's root, already mounted
	ReadOnly bool   // the root read-only (--read-only)
	Hostname string
	// Mounts are bind mounts, in order, over the root.
	Mounts []Mount
	// Tmpfs maps a container path to its tmpfs options ("" for the
	// defaults), as --tmpfs does.
	Tmpfs map[string]string
	// HostNetwork keeps the host's network namespace; otherwise NetNS
	// names one to join, or "" for a new one with loopback only.
	HostNetwork bool
	NetNS       string
	// UserNS and MountNS are a rootless container's holder's user and
	// mount namespaces, which it joins (see Holder); its limits are
	// not applied (see Rootless).
	UserNS, MountNS string
	// Cgroup is the container's cgroup path ("/sockerless/<id>").
	Cgroup string
	// Limits; zero is none.
	Memory, Pids, NanoCPUs int64
}

// Mount is a bind mount: the host's Source at Target in the container,
// with mount(8) options ("rbind", "ro", "nosuid", ...).
type Mount struct {
	Source, Target string
	Options        []string
}

// RunSpec is one container Start runs to its end: Spec's container over
// an overlay of Lower (an unpacked image, shared and left untouched)
// with a writable layer of its own under Dir, running Args as User.
type RunSpec struct {
	Spec
	// ID names the container in libcontainer's State directory.
	ID, State string
	// Lower is the image's root, Dir the container's own directory
	// (its writable layer and the overlay's work and mount points).
	Lower, Dir string
	Args, Env  []string
	WorkDir    string // "" is /
	User       string // as --user: "", "name", "uid", "uid:gid"
	Stdout     io.Writer
	Stderr     io.Writer
}
