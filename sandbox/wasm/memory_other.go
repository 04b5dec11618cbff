//go:build !linux

package wasm

import "github.com/tetratelabs/wazero/experimental"

// memoryImage is the module's initial memory, copied into each process.
type memoryImage struct{ data []byte }

func newMemoryImage(data []byte) *memoryImage { return &memoryImage{data: data} }

func (img *memoryImage) allocator() experimental.MemoryAllocator {
	return experimental.MemoryAllocatorFunc(func(capacity, _ uint64) experimental.LinearMemory {
		return newSliceMemory(capacity, img.data)
	})
}

func (img *memoryImage) close() {}
