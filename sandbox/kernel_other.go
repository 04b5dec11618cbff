//go:build !linux

package sandbox

import (
	goruntime "runtime"

	"github.com/sockerless/sockerless/sandbox/command"
)

// Kernel implements command.System: without uname only the machine is
// known.
func (s *system) Kernel() command.Kernel {
	return command.Kernel{Machine: goruntime.GOARCH}
}
