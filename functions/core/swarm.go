package core

import (
	"context"
	"net/http"

	"github.com/sockerless/sockerless/functions/call"
)

// Sockerless has no swarm mode: its endpoints answer as a dockerd that
// is not in a swarm does (503), which clients take for "no swarm"; init
// and join say that this daemon cannot take part in one.
func (c *Core) swarm(ctx context.Context, in call.Call) (call.Reply, error) {
	switch in.Var("action") {
	case "init", "join":
		return call.Reply{}, errorf(http.StatusServiceUnavailable, "swarm mode is not supported by sockerless: this node cannot init or join a swarm")
	}
	return call.Reply{}, errorf(http.StatusServiceUnavailable, "This node is not part of a swarm")
}

func (c *Core) swarmManager(ctx context.Context, in call.Call) (call.Reply, error) {
	return call.Reply{}, errorf(http.StatusServiceUnavailable, `This node is not a swarm manager. Use "docker swarm init" or "docker swarm join" to connect this node to swarm and try again.`)
}
