package engine

import (
	"context"

	"github.com/moby/moby/client"
	"github.com/sockerless/sockerless/functions/core"
)

// Pause freezes the engine container's processes (core.Pauser).
func (d *Driver) Pause(ctx context.Context, id string) error {
	_, err := d.engine.ContainerPause(ctx, name(id), client.ContainerPauseOptions{})
	return err
}

// Unpause thaws them.
func (d *Driver) Unpause(ctx context.Context, id string) error {
	_, err := d.engine.ContainerUnpause(ctx, name(id), client.ContainerUnpauseOptions{})
	return err
}

var _ core.Pauser = (*Driver)(nil)
