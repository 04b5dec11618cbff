package ecs

import "github.com/sockerless/sockerless/simulators/kit/imagefs"

// Images are unpacked by imagefs, shared with Lambda's container-image
// functions; these names keep the task runner's code unchanged.
type (
	imageCache = imagefs.Cache
	unpacked   = imagefs.Image
)
