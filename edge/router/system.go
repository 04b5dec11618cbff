package router

import (
	"net/http"

	"github.com/sockerless/sockerless/functions/call"
)

// System holds the daemon-wide routes (moby: router/system).
var System = []Route{
	{http.MethodGet, "/_ping", call.OpPing, BodyJSON},
	{http.MethodHead, "/_ping", call.OpPing, BodyJSON},
	{http.MethodGet, "/events", call.OpSystemEvents, BodyJSON},
	{http.MethodGet, "/info", call.OpInfo, BodyJSON},
	{http.MethodGet, "/version", call.OpVersion, BodyJSON},
	{http.MethodGet, "/system/df", call.OpDiskUsage, BodyJSON},
	{http.MethodPost, "/auth", call.OpAuth, BodyJSON},
}
