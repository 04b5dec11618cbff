package wasm

import (
	"os"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/tetratelabs/wazero/experimental"
)

// A process's memory is a reservation of its whole limit in address
// space, mapped lazily by the kernel: growing it is extending a slice,
// never a copy, and its pages are outside the Go heap, so they add
// nothing for the collector to scan or zero and go back to the system
// when the process ends. Its start is the module's data image mapped
// copy-on-write from a memfd: no process copies the 3 MB of data, and
// pages the program only reads stay shared. (With wazero's default
// slice, copying the data and then the memory at each growth took
// half of a process's start.)

// memoryImage is the module's initial memory and the memfd holding it
// (-1 where none could be made; processes then get a copy).
type memoryImage struct {
	data []byte
	fd   int
	size uintptr // data rounded up to whole pages
}

func newMemoryImage(data []byte) *memoryImage {
	img := &memoryImage{data: data, fd: -1}
	if len(data) == 0 {
		return img
	}
	page := uintptr(os.Getpagesize())
	img.size = (uintptr(len(data)) + page - 1) / page * page
	fd, err := unix.MemfdCreate("sockerless-wasm-image", unix.MFD_CLOEXEC)
	if err != nil {
		return img
	}
	f := os.NewFile(uintptr(fd), "wasm-image")
	if _, err := f.Write(data); err != nil || f.Truncate(int64(img.size)) != nil {
		f.Close()
		return img
	}
	// The file stays open for the engine's life; f is not kept, so its
	// finalizer must not close the descriptor.
	if img.fd, err = unix.Dup(fd); err != nil {
		img.fd = -1
	}
	f.Close()
	return img
}

func (img *memoryImage) close() {
	if img.fd >= 0 {
		unix.Close(img.fd)
		img.fd = -1
	}
}

func (img *memoryImage) allocator() experimental.MemoryAllocator {
	return experimental.MemoryAllocatorFunc(func(capacity, max uint64) experimental.LinearMemory {
		if max < uint64(img.size) {
			return newSliceMemory(capacity, img.data)
		}
		b, err := unix.Mmap(-1, 0, int(max), unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE|unix.MAP_ANONYMOUS|unix.MAP_NORESERVE)
		if err != nil {
			// Address space or overcommit limits: copy-on-grow still works.
			return newSliceMemory(capacity, img.data)
		}
		if img.fd < 0 || img.size == 0 {
			copy(b, img.data)
		} else if _, err := unix.MmapPtr(img.fd, 0, unsafe.Pointer(&b[0]), img.size,
			unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE|unix.MAP_FIXED); err != nil {
			copy(b, img.data)
		}
		return &mappedMemory{mapping: b}
	})
}

// mappedMemory is one process's reserved memory.
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
