// Package fieldmask applies an update request's field mask the way
// Google's Update methods do: the paths it names, or every updatable
// field when it names none; a path that cannot be updated is refused.
package fieldmask

import (
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// Setters copy one updatable field, by mask path, from src to dst.
type Setters[M any] map[string]func(dst, src M)

// Apply copies the fields paths name from src to dst (every field when
// paths is empty), or fails with INVALID_ARGUMENT, saying which path and
// why (fixed: what cannot change), before copying any.
func (s Setters[M]) Apply(paths []string, dst, src M, fixed string) error {
	if len(paths) == 0 {
		for p := range s {
			paths = append(paths, p)
		}
	}
	for _, p := range paths {
		if s[p] == nil {
			return status.Errorf(codes.InvalidArgument, "Invalid update_mask path %q: %s", p, fixed)
		}
	}
	for _, p := range paths {
		s[p](dst, src)
	}
	return nil
}
