package command

import (
	"context"
	"errors"
)

// DefaultMemoryLimit bounds what one command may buffer when its
// container has no memory limit, as wasm.DefaultMemoryLimit bounds a
// module.
const DefaultMemoryLimit = 1 << 30

// ErrNoMemory is what a command gets when input it must hold in memory
// (sort, uniq, tail, paste) exceeds its container's limit; it prints as
// busybox's "out of memory".
var ErrNoMemory = errors.New("out of memory")

type memoryKey struct{}

// WithMemoryLimit records the bytes a command running under ctx may
// buffer: the container's --memory, so that one sort of an endless input
// fails instead of taking the host's memory.
func WithMemoryLimit(ctx context.Context, n int64) context.Context {
	return context.WithValue(ctx, memoryKey{}, n)
}

// MemoryLimit is the limit WithMemoryLimit recorded, or
// DefaultMemoryLimit.
func MemoryLimit(ctx context.Context) int64 {
	if n, ok := ctx.Value(memoryKey{}).(int64); ok && n > 0 {
		return n
	}
	return DefaultMemoryLimit
}
