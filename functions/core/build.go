package core

import (
	"context"
	"net/http"

	"github.com/moby/moby/api/types/build"
	"github.com/sockerless/sockerless/functions/call"
)

// build answers POST /build until the sandbox can run Dockerfile steps.
func (c *Core) build(ctx context.Context, in call.Call) (call.Reply, error) {
	return call.Reply{}, errorf(http.StatusNotImplemented,
		"docker build is not supported by the %s backend yet: build the image elsewhere and bring it in with `docker load`, or make a root filesystem and `docker import` it", c.cfg.Backend)
}

// buildPrune has nothing to prune: no build cache exists until builds do.
func (c *Core) buildPrune(ctx context.Context, in call.Call) (call.Reply, error) {
	if _, err := parseFilters(in.Query.Get("filters"), []string{"until", "id", "parent", "type", "description", "inuse", "shared", "private", "label", "label!"}); err != nil {
		return call.Reply{}, err
	}
	return jsonReply(http.StatusOK, build.CachePruneReport{CachesDeleted: []string{}}), nil
}
