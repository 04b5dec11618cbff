package wasm

import "github.com/tetratelabs/wazero/experimental"

// A process's memory starts as the module's data image (splitData):
// where the platform can, a copy-on-write mapping of it (memory_linux.go),
// else a copy.

// sliceMemory backs a module's memory with a Go slice that grows by
// copying, wazero's own way; the allocators fall back to it.
type sliceMemory struct{ buf []byte }

func newSliceMemory(capacity uint64, image []byte) *sliceMemory {
	buf := make([]byte, len(image), max(capacity, uint64(len(image))))
	copy(buf, image)
	return &sliceMemory{buf: buf}
}

func (m *sliceMemory) Reallocate(size uint64) []byte {
	if size > uint64(cap(m.buf)) {
		grown := make([]byte, size, size+size/4)
		copy(grown, m.buf)
		m.buf = grown
	}
	m.buf = m.buf[:size]
	return m.buf
}

func (m *sliceMemory) Free() { m.buf = nil }

var _ experimental.LinearMemory = (*sliceMemory)(nil)
