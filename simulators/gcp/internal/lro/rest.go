package lro

import (
	"net/http"

	lropb "cloud.google.com/go/longrunning/autogen/longrunningpb"

	"github.com/sockerless/sockerless/simulators/gcp/internal/googlerest"
)

// REST binds the Operations API of ops under version ("/v2"), as
// {version}/projects/P/locations/L/operations[/ID]: the paths several
// services share on one simulator, so ops is a Mux of theirs.
func REST(version string, ops lropb.OperationsServer) []googlerest.Method {
	loc := version + `/(projects/[^/:]+/locations/[^/:]+)`
	op := version + `/(projects/[^/:]+/locations/[^/:]+/operations/[^/:]+)`
	return []googlerest.Method{
		googlerest.Bind(http.MethodGet, loc+"/operations", "name", "", ops.ListOperations),
		googlerest.Bind(http.MethodGet, op, "name", "", ops.GetOperation),
		googlerest.Bind(http.MethodDelete, op, "name", "", ops.DeleteOperation),
	}
}
