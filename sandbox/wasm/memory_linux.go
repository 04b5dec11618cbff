package wasm

import (
	"golang.org/x/sys/unix"

	"github.com/tetratelabs/wazero/experimental"
)

// A module's memory is a reservation of its whole limit in address
// space, mapped lazily by the kernel: growing it is extending a slice,
// never a copy, and the pages are outside the Go heap, so a process's
// memory adds nothing for the collector to scan or zero and goes back
// to the system when the process ends. (Go's runtime in the module grows
// its memory a few MiB at a time; with wazero's default slice each step
// copied all of it, a fifth of a process's start.)
var memoryAllocator experimental.MemoryAllocator = experimental.MemoryAllocatorFunc(func(capacity, max uint64) experimental.LinearMemory {
	b, err := unix.Mmap(-1, 0, int(max), unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE|unix.MAP_ANONYMOUS|unix.MAP_NORESERVE)
	if err != nil {
		// Address space or overcommit limits: copy-on-grow still works.
		return &sliceMemory{buf: make([]byte, 0, capacity)}
	}
	return &mappedMemory{mapping: b}
})

// mappedMemory is one module's reserved memory.
type mappedMemory struct{ mapping []byte }

// Reallocate returns the first size bytes of the mapping; wazero never
// asks for more than the max it reserved.
func (m *mappedMemory) Reallocate(size uint64) []byte {
	if size > uint64(len(m.mapping)) {
		return nil
	}
	return m.mapping[:size:size]
}

func (m *mappedMemory) Free() {
	if m.mapping != nil {
		unix.Munmap(m.mapping)
		m.mapping = nil
	}
}
