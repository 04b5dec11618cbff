//go:build !linux

package wasm

import "github.com/tetratelabs/wazero/experimental"

// memoryAllocator is wazero's copy-on-grow slice where no lazy mapping is
// used.
var memoryAllocator experimental.MemoryAllocator = experimental.MemoryAllocatorFunc(func(capacity, _ uint64) experimental.LinearMemory {
	return &sliceMemory{buf: make([]byte, 0, capacity)}
})
