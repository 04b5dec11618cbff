package router

import (
	"net/http"

	"github.com/sockerless/sockerless/functions/call"
)

// Volumes holds the volume routes (moby: router/volume). The swarm-only
// PUT /volumes/{name} (cluster volume update) is not served.
var Volumes = []Route{
	{http.MethodGet, "/volumes", call.OpVolumeList, BodyJSON},
	{http.MethodGet, "/volumes/{name:.*}", call.OpVolumeInspect, BodyJSON},
	{http.MethodPost, "/volumes/create", call.OpVolumeCreate, BodyJSON},
	{http.MethodPost, "/volumes/prune", call.OpVolumePrune, BodyJSON},
	{http.MethodDelete, "/volumes/{name:.*}", call.OpVolumeRemove, BodyJSON},
}
