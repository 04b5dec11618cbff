package core_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/moby/moby/api/types/common"
	"github.com/sockerless/sockerless/functions/call"
)

// FuzzCall sends arbitrary envelopes to the control plane, as a broken
// or hostile edge could: whatever the op, path variable, query or body,
// the function answers (never panics or hangs) with a valid status, and
// an error answer is Docker's error JSON with a message.
func FuzzCall(f *testing.F) {
	seeds := []struct {
		op, name, query, body string
	}{
		{call.OpPing, "", ``, ``},
		{call.OpContainerList, "", `{"all":["1"],"filters":["{\"status\":[\"exited\"],\"label\":[\"a=b\"]}"]}`, ``},
		{call.OpContainerList, "", `{"filters":["{\"name\":{\"x\":true}}"]}`, ``},
		{call.OpContainerCreate, "", `{"name":["c1"]}`, `{"Image":"busybox","Cmd":["true"],"HostConfig":{"Memory":1}}`},
		{call.OpContainerCreate, "", ``, `{"Image":"","NetworkingConfig":{"EndpointsConfig":{"n":{"IPAMConfig":{"IPv4Address":"10.0.0.1"}}}}}`},
		{call.OpContainerInspect, "c1", ``, ``},
		{call.OpContainerRename, "c1", `{"name":["c2"]}`, ``},
		{call.OpContainerRemove, "c1", `{"force":["1"],"v":["1"]}`, ``},
		{call.OpContainerArchive, "c1", `{"path":["/etc"]}`, ``},
		{call.OpImageList, "", `{"filters":["{\"dangling\":[\"true\"]}"]}`, ``},
		{call.OpImageTag, "sha256:00", `{"repo":["a/b"],"tag":["1"]}`, ``},
		{call.OpImageLoad, "", ``, "not a tar"},
		{call.OpVolumeCreate, "", ``, `{"Name":"v1","Labels":{"a":"b"}}`},
		{call.OpVolumeList, "", `{"filters":["{\"dangling\":[\"1\"]}"]}`, ``},
		{call.OpNetworkCreate, "", ``, `{"Name":"n1","IPAM":{"Config":[{"Subnet":"10.9.0.0/24"}]}}`},
		{call.OpNetworkConnect, "n1", ``, `{"Container":"c1","EndpointConfig":{"Aliases":["a"]}}`},
		{call.OpExecCreate, "c1", ``, `{"Cmd":["ls"]}`},
		{call.OpBuild, "", `{"t":["x"],"dockerfile":["Dockerfile"]}`, "\x1f\x8b"},
		{call.OpSystemEvents, "", `{"since":["-1"],"until":["1"]}`, ``},
		{"no.such.op", "", ``, ``},
	}
	for _, s := range seeds {
		f.Add(s.op, s.name, []byte(s.query), []byte(s.body))
	}
	h := newHarness(f)
	f.Fuzz(func(t *testing.T, op, name string, query, body []byte) {
		var q url.Values
		_ = json.Unmarshal(query, &q) // not a map: no query
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		c := call.Call{Op: op, Version: h.version, Vars: map[string]string{"name": name}, Query: q, Body: body}
		rep := h.h.Handle(ctx, c)
		if ctx.Err() != nil {
			t.Fatalf("%s did not answer within 20 s", op)
		}
		if rep.Status < 100 || rep.Status > 599 {
			t.Fatalf("%s: status %d", op, rep.Status)
		}
		if rep.Status < http.StatusBadRequest || rep.Stream != nil {
			return
		}
		var e common.ErrorResponse
		if err := json.Unmarshal(rep.Body, &e); err != nil || e.Message == "" {
			t.Fatalf("%s: status %d with a body that is not Docker's error JSON: %q", op, rep.Status, rep.Body)
		}
	})
}
