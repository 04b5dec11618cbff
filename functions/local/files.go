package local

import (
	"context"

	"github.com/sockerless/sockerless/functions/core"
)

// Files reaches a stopped container's filesystem.
func (d *Driver) Files(ctx context.Context, id string, mounts []core.Mount) (core.Files, error) {
	return nil, core.ErrUnsupported
}
