//go:build linux && cgo

package native

import "github.com/sockerless/sockerless/sandbox/nsrun"

// Supported says whether this process can run native containers, and
// if not, what is missing (see nsrun.Supported). Linking nsrun also
// makes this binary serve as a container's init.
func Supported() error { return nsrun.Supported() }

// Rootless says whether containers run rootless here, in user
// namespaces (see nsrun.Rootless).
func Rootless() bool { return nsrun.Rootless() }
