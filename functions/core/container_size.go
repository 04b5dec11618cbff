package core

import "context"

// Sizer is what a backend that can measure a container's writable
// layer offers beyond Compute: SizeRw, the bytes the container wrote
// over its image (files it added or changed), as dockerd's SizeRw. It
// is optional; without it, sizes stay 0.
type Sizer interface {
	SizeRw(ctx context.Context, id string) (int64, error)
}

// sizeRw is rec's writable layer's size where the backend measures it,
// else 0 (an error also counts as nothing measured).
func (c *Core) sizeRw(ctx context.Context, id string) int64 {
	s, ok := c.cfg.Compute.(Sizer)
	if !ok {
		return 0
	}
	n, err := s.SizeRw(ctx, id)
	if err != nil || n < 0 {
		return 0
	}
	return n
}
