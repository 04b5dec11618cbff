package router

import (
	"net/http"

	"github.com/sockerless/sockerless/functions/call"
)

// Exec holds the exec routes. moby serves them from its container router
// and names the exec variable "id" in one route and "name" in others;
// here every exec route names it "id", the same key the edge uses for
// call.OpExecExited, so the function reads one variable. The create
// route is keyed by container and keeps "name".
var Exec = []Route{
	{http.MethodPost, "/containers/{name:.*}/exec", call.OpExecCreate, BodyJSON},
	{http.MethodGet, "/exec/{id:.*}/json", call.OpExecInspect, BodyJSON},
	{http.MethodPost, "/exec/{id:.*}/start", call.OpExecStart, BodyJSON},
	{http.MethodPost, "/exec/{id:.*}/resize", call.OpExecResize, BodyJSON},
}
