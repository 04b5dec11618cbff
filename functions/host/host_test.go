package host_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/moby/moby/api/types/system"

	"github.com/sockerless/sockerless/functions/backends/local"
	"github.com/sockerless/sockerless/functions/call"
	"github.com/sockerless/sockerless/functions/host"
	"github.com/sockerless/sockerless/functions/images/remoteimages"
	"github.com/sockerless/sockerless/functions/state/bolt"
)

const secret = "000102030405060708090a0b0c0d0e0f"

func env(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

func TestReadSettings(t *testing.T) {
	cases := []struct {
		name   string
		vars   map[string]string
		want   host.Settings
		errHas string
	}{
		{name: "no secret is refused, naming the variable", vars: map[string]string{},
			errHas: host.EnvSecret + " must be at least 16 hex-encoded bytes"},
		{name: "a secret that is not hex is refused", vars: map[string]string{host.EnvSecret: "not hex at all, not hex at all!!"},
			errHas: "invalid byte"},
		{name: "a secret under 16 bytes is refused", vars: map[string]string{host.EnvSecret: secret[:30]},
			errHas: "(got 15 bytes"},
		{name: "every shared setting is read", vars: map[string]string{
			host.EnvSecret: secret, host.EnvAgentImage: "registry.example/agent:1",
			host.EnvAgentURL: "wss://edge.example/agent/v1/connect", host.EnvWorkloadRepository: "registry.example/workloads",
		}, want: host.Settings{
			Secret:     []byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15},
			AgentImage: "registry.example/agent:1", AgentURL: "wss://edge.example/agent/v1/connect",
			WorkloadRepository: "registry.example/workloads",
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := host.ReadSettings(env(tc.vars))
			if tc.errHas != "" {
				if err == nil || !strings.Contains(err.Error(), tc.errHas) {
					t.Fatalf("err %v, want one containing %q", err, tc.errHas)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.Getenv == nil || got.Getenv(host.EnvAgentImage) != tc.vars[host.EnvAgentImage] {
				t.Error("Getenv does not read the environment the settings came from")
			}
			got.Getenv = nil
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("settings %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestList(t *testing.T) {
	cases := []struct {
		name, in string
		want     []string
	}{
		{"empty is none", "", nil},
		{"items are trimmed", " a, b ,c", []string{"a", "b", "c"}},
		{"empty items are dropped", "a,,b,", []string{"a", "b"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := host.List(tc.in); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("List(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

// realParts is a backend built from real parts that need no cloud: a
// bbolt store and the local sandbox driver.
func realParts(t *testing.T, name string) host.Build {
	return func(ctx context.Context, s host.Settings) (host.Parts, error) {
		dir := t.TempDir()
		store, err := bolt.Open(filepath.Join(dir, "state.db"))
		if err != nil {
			return host.Parts{}, err
		}
		t.Cleanup(func() { store.Close() })
		driver, err := local.New(ctx, local.Config{Dir: dir, AgentURL: s.AgentURL})
		if err != nil {
			return host.Parts{}, err
		}
		t.Cleanup(func() { driver.Close() })
		return host.Parts{Name: name, Store: store, Compute: driver, Images: &remoteimages.Images{Name: name}}, nil
	}
}

func TestStart(t *testing.T) {
	good := map[string]string{host.EnvSecret: secret, host.EnvAgentURL: "ws://127.0.0.1:1/agent/v1/connect"}

	t.Run("bad settings fail the start before anything is built", func(t *testing.T) {
		built := false
		_, err := host.Start(t.Context(), env(map[string]string{}), func(context.Context, host.Settings) (host.Parts, error) {
			built = true
			return host.Parts{}, nil
		}, nil)
		if err == nil || !strings.Contains(err.Error(), host.EnvSecret) || built {
			t.Errorf("err %v, built %v; want the secret refused and nothing built", err, built)
		}
	})
	t.Run("the cloud's build error fails the start", func(t *testing.T) {
		unreachable := errors.New("store unreachable")
		_, err := host.Start(t.Context(), env(good), func(context.Context, host.Settings) (host.Parts, error) {
			return host.Parts{}, unreachable
		}, nil)
		if !errors.Is(err, unreachable) {
			t.Errorf("err %v, want %v", err, unreachable)
		}
	})
	t.Run("the build is bounded, so a silent store fails the cold start", func(t *testing.T) {
		build := realParts(t, "test")
		_, err := host.Start(t.Context(), env(good), func(ctx context.Context, s host.Settings) (host.Parts, error) {
			deadline, ok := ctx.Deadline()
			if !ok || time.Until(deadline) > 30*time.Second {
				t.Errorf("build's context has deadline %v (set: %v), want one within 30s", deadline, ok)
			}
			return build(ctx, s)
		}, nil)
		if err != nil {
			t.Fatal(err)
		}
	})
	t.Run("the function serves over the parts built, named for its backend", func(t *testing.T) {
		fn, err := host.Start(t.Context(), env(good), realParts(t, "testcloud"), nil)
		if err != nil {
			t.Fatal(err)
		}
		var h call.Handler = fn
		rep := h.Handle(t.Context(), call.Call{Op: call.OpVolumeCreate, Version: "1.56", Body: []byte(`{"Name":"data"}`)})
		if rep.Status != http.StatusCreated {
			t.Fatalf("volume create: %d %s", rep.Status, rep.Body)
		}
		rep = h.Handle(t.Context(), call.Call{Op: call.OpInfo, Version: "1.56"})
		var info system.Info
		if err := json.Unmarshal(rep.Body, &info); err != nil || rep.Status != http.StatusOK {
			t.Fatalf("info: %d %s (%v)", rep.Status, rep.Body, err)
		}
		if info.Driver != "testcloud" || info.OperatingSystem != "Sockerless (testcloud)" {
			t.Errorf("info names driver %q, OS %q; want the backend testcloud", info.Driver, info.OperatingSystem)
		}
		rep = h.Handle(t.Context(), call.Call{Op: call.OpImageLoad, Version: "1.56"})
		if rep.Status != http.StatusNotImplemented || !strings.Contains(string(rep.Body), "not supported by the testcloud backend") {
			t.Errorf("image load: %d %s, want 501 from the images built", rep.Status, rep.Body)
		}
	})
}
