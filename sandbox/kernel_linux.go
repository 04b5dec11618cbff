package sandbox

import (
	"syscall"

	"github.com/sockerless/sockerless/sandbox/command"
)

// Kernel implements command.System: a container shares its host's kernel.
func (s *system) Kernel() command.Kernel {
	var u syscall.Utsname
	if err := syscall.Uname(&u); err != nil {
		return command.Kernel{}
	}
	return command.Kernel{Release: utsString(u.Release[:]), Version: utsString(u.Version[:]), Machine: utsString(u.Machine[:])}
}

func utsString[T int8 | uint8](b []T) string {
	s := make([]byte, 0, len(b))
	for _, c := range b {
		if c == 0 {
			break
		}
		s = append(s, byte(c))
	}
	return string(s)
}
