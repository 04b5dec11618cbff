//go:build wasip1

package main

import (
	"strings"
	"unsafe"
)

//go:wasmimport sockerless exec
func sockerlessExec(argv unsafe.Pointer, n uint32, stdinNull uint32) uint32

// hostRun asks the sandbox to run args as a child command (see
// sandbox/wasm/hostexec.go) and returns its exit status.
func hostRun(args []string, nullStdin bool) int {
	buf := []byte(strings.Join(args, "\x00") + "\x00")
	var null uint32
	if nullStdin {
		null = 1
	}
	return int(sockerlessExec(unsafe.Pointer(&buf[0]), uint32(len(buf)), null))
}
