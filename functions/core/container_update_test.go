package core_test

import (
	"net/http"
	"testing"

	"github.com/moby/moby/api/types/container"
	"github.com/sockerless/sockerless/functions/call"
)

// docker update replaces the resources and restart policy the request
// sets and keeps the others; what dockerd refuses is a 400.
func TestContainerUpdate(t *testing.T) {
	h := newHarness(t)
	h.importImage(t, "app:v1")
	id := h.create(t, "svc", "app:v1", func(cr *container.CreateRequest) {
		cr.HostConfig = &container.HostConfig{Resources: container.Resources{Memory: 400 << 20, CPUShares: 2},
			RestartPolicy: container.RestartPolicy{Name: container.RestartPolicyAlways}}
	})
	h.create(t, "gone", "app:v1", func(cr *container.CreateRequest) {
		cr.HostConfig = &container.HostConfig{AutoRemove: true}
	})
	update := func(name string, body container.UpdateConfig) call.Reply {
		return h.do(t, req{op: call.OpContainerUpdate, vars: map[string]string{"name": name}, body: body})
	}

	rep := update("svc", container.UpdateConfig{Resources: container.Resources{Memory: 300 << 20},
		RestartPolicy: container.RestartPolicy{Name: container.RestartPolicyOnFailure, MaximumRetryCount: 42}})
	if rep.Status != http.StatusOK {
		t.Fatalf("update: %d %s", rep.Status, rep.Body)
	}
	got := h.inspect(t, id).HostConfig
	if got.Memory != 300<<20 || got.CPUShares != 2 || got.RestartPolicy.Name != container.RestartPolicyOnFailure || got.RestartPolicy.MaximumRetryCount != 42 {
		t.Errorf("after update: memory %d, cpu shares %d, restart policy %+v", got.Memory, got.CPUShares, got.RestartPolicy)
	}

	for _, tc := range []struct {
		name, container string
		body            container.UpdateConfig
		status          int
		msg             string
	}{
		{"memory under 6MB", "svc", container.UpdateConfig{Resources: container.Resources{Memory: 1 << 20}},
			http.StatusBadRequest, "Minimum memory limit allowed is 6MB"},
		{"unknown restart policy", "svc", container.UpdateConfig{RestartPolicy: container.RestartPolicy{Name: "sometimes"}},
			http.StatusBadRequest, "invalid restart policy: unknown policy 'sometimes'; use one of 'no', 'always', 'on-failure', or 'unless-stopped'"},
		{"restart policy of an auto-removed container", "gone", container.UpdateConfig{RestartPolicy: container.RestartPolicy{Name: container.RestartPolicyAlways}},
			http.StatusBadRequest, ""},
		{"unknown container", "nosuch", container.UpdateConfig{}, http.StatusNotFound, "No such container: nosuch"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rep := update(tc.container, tc.body)
			if tc.msg == "" {
				if rep.Status != tc.status {
					t.Errorf("status %d, want %d: %s", rep.Status, tc.status, rep.Body)
				}
				return
			}
			wantError(t, rep, tc.status, tc.msg)
		})
	}
}
