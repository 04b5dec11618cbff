package lambda

import (
	"github.com/sockerless/sockerless/sandbox"
	"github.com/sockerless/sockerless/simulators/kit/taskrun"
)

// boxSpec is an image function whose entrypoint the sandbox runs
// in-process (see image.go): each instance is a sandbox process over the
// unpacked image, with a writable root of its own (fnproc.Box).
type boxSpec struct {
	image string   // the unpacked image, a read-only template
	args  []string // entrypoint and command, container paths
	dir   string   // container working directory
	roots string   // host directory holding each instance's own files
	// mounts are the function's file systems (FileSystemConfigs).
	mounts []sandbox.Mount
	// runtime runs the instances: the sandbox, or native containers.
	runtime taskrun.Runtime
}
