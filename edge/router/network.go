package router

import (
	"net/http"

	"github.com/sockerless/sockerless/functions/call"
)

// Networks holds the network routes (moby: router/network).
var Networks = []Route{
	{http.MethodGet, "/networks", call.OpNetworkList, BodyJSON},
	{http.MethodGet, "/networks/", call.OpNetworkList, BodyJSON},
	{http.MethodGet, "/networks/{id:.+}", call.OpNetworkInspect, BodyJSON},
	{http.MethodPost, "/networks/create", call.OpNetworkCreate, BodyJSON},
	{http.MethodPost, "/networks/{id:.*}/connect", call.OpNetworkConnect, BodyJSON},
	{http.MethodPost, "/networks/{id:.*}/disconnect", call.OpNetworkDisconnect, BodyJSON},
	{http.MethodPost, "/networks/prune", call.OpNetworkPrune, BodyJSON},
	{http.MethodDelete, "/networks/{id:.*}", call.OpNetworkRemove, BodyJSON},
}
