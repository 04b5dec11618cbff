// Package nsrun runs a container's process tree in Linux namespaces
// (mount, PID, UTS, IPC, network), under cgroup limits, rooted in an
// overlay of an unpacked image, through runc's libcontainer: the kernel
// half of the native runtime, with nothing of Docker's or a cloud's
// semantics in it.
//
// Local mode's native runtime (functions/backends/local/native) builds
// its containers from these parts, and the simulators run their tasks'
// and functions' workloads with Start. It lives in the sandbox module,
// beside the sandbox's own runtime and its unpacker, because both of
// those users may import that module and neither may import the other's
// (the simulators share nothing with functions/).
//
// libcontainer starts every container by executing the running binary
// again as "init"; a binary that links this package serves so (see
// init in supported.go).
package nsrun
