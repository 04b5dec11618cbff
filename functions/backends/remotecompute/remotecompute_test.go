package remotecompute_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/sockerless/sockerless/functions/backends/remotecompute"
	"github.com/sockerless/sockerless/functions/core"
	"github.com/sockerless/sockerless/functions/images/remoteimages"
)

func TestCheckConfig(t *testing.T) {
	cases := []struct {
		name     string
		settings []remotecompute.Setting
		want     string
	}{
		{"all set", []remotecompute.Setting{remotecompute.Need("cluster", "c"), {Name: "clients", Set: true}}, ""},
		{"every missing one is named, in order", []remotecompute.Setting{
			remotecompute.Need("cluster", ""), remotecompute.Need("region", "r"), {Name: "clients", Set: false},
		}, "ecs backend: missing configuration: cluster, clients"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := remotecompute.CheckConfig("ecs", tc.settings...)
			if got := errString(err); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestLaunchable(t *testing.T) {
	pulled := core.Workload{ImageRef: "registry.example/app@sha256:0123"}
	mounted := pulled
	mounted.Mounts = []core.Mount{{Source: remotecompute.VolumeRoot + "data", Target: "/data"}}
	sent := pulled
	sent.AgentURL = "ws://edge.example/agent/v1/connect"
	cases := []struct {
		name    string
		base    remotecompute.Base
		w       core.Workload
		wantURL string
		wantErr string
	}{
		{"an image not pulled from a registry", remotecompute.NewBase("lambda", "ws://fallback", ""), core.Workload{}, "", remoteimages.ErrNotPulled.Error()},
		{"mounts, with what they would need", remotecompute.NewBase("ecs", "ws://fallback", "they need EFS"), mounted, "",
			"volumes and bind mounts are not supported by the ecs backend yet (they need EFS): not supported by this backend"},
		{"mounts", remotecompute.NewBase("lambda", "ws://fallback", ""), mounted, "",
			"volumes and bind mounts are not supported by the lambda backend: not supported by this backend"},
		{"the URL the start call sent", remotecompute.NewBase("lambda", "ws://fallback", ""), sent, sent.AgentURL, ""},
		{"else the driver's own", remotecompute.NewBase("lambda", "ws://fallback", ""), pulled, "ws://fallback", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			url, err := tc.base.Launchable(tc.w)
			if url != tc.wantURL || errString(err) != tc.wantErr {
				t.Errorf("got %q, %v; want %q, %q", url, err, tc.wantURL, tc.wantErr)
			}
			if len(tc.w.Mounts) > 0 && !errors.Is(err, core.ErrUnsupported) {
				t.Errorf("the mounts error is not core.ErrUnsupported: %v", err)
			}
		})
	}
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// TestBindRefused proves the bind mount's error says why and what to do
// instead, without words the docker CLI maps to another exit status.
func TestBindRefused(t *testing.T) {
	err := remotecompute.BindRefused("ecs", core.Mount{Source: "/home/me/src", Target: "/src"})
	want := "bind mounts are not supported by the ecs backend: /home/me/src is a path on the Docker client's machine, which a container running in the cloud cannot reach; use a named volume instead (docker volume create NAME, then -v NAME:/src): not supported by this backend"
	if err.Error() != want || !errors.Is(err, core.ErrUnsupported) {
		t.Fatalf("got %q, want %q as core.ErrUnsupported", err, want)
	}
	for _, cliWord := range []string{"is a directory", "permission denied", "no such file or directory", "executable file not found"} {
		if strings.Contains(err.Error(), cliWord) {
			t.Errorf("the message holds %q, which makes docker run exit otherwise than 125", cliWord)
		}
	}
}
