//go:build !linux || !cgo

package nsrun

import (
	"context"
	"errors"
	"syscall"
)

// ErrUnsupported is why no container can run in this build.
var ErrUnsupported = errors.New("the native runtime needs Linux (namespaces, cgroups, overlayfs) and a binary built with cgo")

// Supported says containers cannot run here.
func Supported() error { return ErrUnsupported }

// Process is a container's init; none exists in this build.
type Process struct{}

// Start fails: containers cannot run here.
func Start(context.Context, RunSpec) (*Process, error) { return nil, ErrUnsupported }

// Pid, Signal, Done and Wait are the Linux build's; Start never returns
// a Process here.
func (*Process) Pid() int                    { return 0 }
func (*Process) Signal(syscall.Signal) error { return ErrUnsupported }
func (*Process) Done() <-chan struct{}       { return nil }
func (*Process) Wait() int                   { return 255 }
