package router

import (
	"net/http"

	"github.com/sockerless/sockerless/functions/call"
)

// Images holds the image routes in moby's order (router/image). Image
// references contain slashes ("registry:5000/team/app:tag"), hence
// {name:.*}.
var Images = []Route{
	{http.MethodGet, "/images/json", call.OpImageList, BodyJSON},
	{http.MethodGet, "/images/get", call.OpImageSave, BodyJSON},
	{http.MethodGet, "/images/{name:.*}/get", call.OpImageSave, BodyJSON},
	{http.MethodGet, "/images/{name:.*}/history", call.OpImageHistory, BodyJSON},
	{http.MethodGet, "/images/{name:.*}/json", call.OpImageInspect, BodyJSON},

	// load takes an image tarball; create with fromSrc=- takes a rootfs
	// tarball to import.
	{http.MethodPost, "/images/load", call.OpImageLoad, BodyLarge},
	{http.MethodPost, "/images/create", call.OpImagePull, BodyLarge},
	{http.MethodPost, "/images/{name:.*}/push", call.OpImagePush, BodyJSON},
	{http.MethodPost, "/images/{name:.*}/tag", call.OpImageTag, BodyJSON},
	{http.MethodPost, "/images/prune", call.OpImagePrune, BodyJSON},
	// commit takes the container's config overrides as its JSON body.
	{http.MethodPost, "/commit", call.OpImageCommit, BodyJSON},

	{http.MethodDelete, "/images/{name:.*}", call.OpImageRemove, BodyJSON},
}
