package router

import (
	"net/http"

	"github.com/sockerless/sockerless/functions/call"
)

// Swarm holds the swarm-mode routes (moby: router/swarm). Sockerless has
// no swarm mode; the function answers them as a dockerd outside a swarm
// does, which clients rely on (docker-py's leave_swarm(force=True)
// takes that answer as success).
var Swarm = swarmRoutes()

func swarmRoutes() []Route {
	routes := []Route{
		{http.MethodGet, "/swarm", call.OpSwarm, BodyJSON},
		{http.MethodGet, "/swarm/unlockkey", call.OpSwarm, BodyJSON},
		{http.MethodPost, "/swarm/{action:init|join|leave|update|unlock}", call.OpSwarm, BodyJSON},
	}
	// What only a swarm manager serves.
	for _, res := range []string{"nodes", "services", "tasks", "secrets", "configs"} {
		for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodDelete} {
			routes = append(routes,
				Route{m, "/" + res, call.OpSwarmManager, BodyJSON},
				Route{m, "/" + res + "/{rest:.*}", call.OpSwarmManager, BodyJSON})
		}
	}
	return routes
}
