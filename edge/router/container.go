package router

import (
	"net/http"

	"github.com/sockerless/sockerless/functions/call"
)

// Containers holds the container routes in moby's order (router/container).
// A container reference is {name:.*}: moby lets it hold slashes, and so
// do we, so "/containers/a/b/json" names "a/b".
var Containers = []Route{
	{http.MethodHead, "/containers/{name:.*}/archive", call.OpContainerArchive, BodyJSON},

	{http.MethodGet, "/containers/json", call.OpContainerList, BodyJSON},
	{http.MethodGet, "/containers/{name:.*}/export", call.OpContainerExport, BodyJSON},
	{http.MethodGet, "/containers/{name:.*}/changes", call.OpContainerChanges, BodyJSON},
	{http.MethodGet, "/containers/{name:.*}/json", call.OpContainerInspect, BodyJSON},
	{http.MethodGet, "/containers/{name:.*}/top", call.OpContainerTop, BodyJSON},
	{http.MethodGet, "/containers/{name:.*}/logs", call.OpContainerLogs, BodyJSON},
	{http.MethodGet, "/containers/{name:.*}/stats", call.OpContainerStats, BodyJSON},
	// The WebSocket flavour of attach; the edge tells them apart by method.
	{http.MethodGet, "/containers/{name:.*}/attach/ws", call.OpContainerAttach, BodyJSON},
	{http.MethodGet, "/containers/{name:.*}/archive", call.OpContainerArchive, BodyJSON},

	{http.MethodPost, "/containers/create", call.OpContainerCreate, BodyJSON},
	{http.MethodPost, "/containers/{name:.*}/kill", call.OpContainerKill, BodyJSON},
	{http.MethodPost, "/containers/{name:.*}/pause", call.OpContainerPause, BodyJSON},
	{http.MethodPost, "/containers/{name:.*}/unpause", call.OpContainerUnpause, BodyJSON},
	{http.MethodPost, "/containers/{name:.*}/restart", call.OpContainerRestart, BodyJSON},
	{http.MethodPost, "/containers/{name:.*}/start", call.OpContainerStart, BodyJSON},
	{http.MethodPost, "/containers/{name:.*}/stop", call.OpContainerStop, BodyJSON},
	{http.MethodPost, "/containers/{name:.*}/wait", call.OpContainerWait, BodyJSON},
	{http.MethodPost, "/containers/{name:.*}/resize", call.OpContainerResize, BodyJSON},
	{http.MethodPost, "/containers/{name:.*}/attach", call.OpContainerAttach, BodyJSON},
	{http.MethodPost, "/containers/{name:.*}/rename", call.OpContainerRename, BodyJSON},
	{http.MethodPost, "/containers/{name:.*}/update", call.OpContainerUpdate, BodyJSON},
	{http.MethodPost, "/containers/prune", call.OpContainerPrune, BodyJSON},

	// The body is a tar stream to extract into the container.
	{http.MethodPut, "/containers/{name:.*}/archive", call.OpContainerArchive, BodyLarge},

	{http.MethodDelete, "/containers/{name:.*}", call.OpContainerRemove, BodyJSON},
}
