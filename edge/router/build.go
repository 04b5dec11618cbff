package router

import (
	"net/http"

	"github.com/sockerless/sockerless/functions/call"
)

// Build holds the builder's routes (moby: router/build). The function
// answers for them, so `docker system prune` and `docker build` get a
// real answer rather than a missing route.
var Build = []Route{
	{http.MethodPost, "/build", call.OpBuild, BodyLarge},
	{http.MethodPost, "/build/prune", call.OpBuildPrune, BodyJSON},
}
