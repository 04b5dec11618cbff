package gcphost_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/sockerless/sockerless/functions/host"
	"github.com/sockerless/sockerless/functions/platform/gcp/gcphost"
)

const secret = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"

// A function that cannot build its parts says which setting is wrong:
// the platform shows it as the reason the instance did not start.
func TestBuildErrors(t *testing.T) {
	// Firestore's client is made without a connection: no simulator is
	// needed to reach these errors.
	t.Setenv("FIRESTORE_EMULATOR_HOST", "127.0.0.1:1")
	noCompute := errors.New("no compute here")
	cases := []struct {
		name string
		env  map[string]string
		want string
	}{
		{"a root collection that is a document path", map[string]string{gcphost.EnvCollection: "a/b"},
			`"a/b/sandbox/records" is not a collection path`},
		{"the workloads' own error", nil, "no compute here"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			env := map[string]string{host.EnvSecret: secret, gcphost.EnvProject: "p"}
			for k, v := range tc.env {
				env[k] = v
			}
			s, err := host.ReadSettings(func(k string) string { return env[k] })
			if err != nil {
				t.Fatal(err)
			}
			f := gcphost.Function{Name: "sandbox", Workloads: func(context.Context, gcphost.Env) (gcphost.Workloads, error) {
				return gcphost.Workloads{}, noCompute
			}}
			_, err = f.Build(t.Context(), s)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Build: %v, want an error with %q", err, tc.want)
			}
		})
	}
}

func TestStatePath(t *testing.T) {
	cases := []struct{ root, backend, want string }{
		{"", "sandbox", "sockerless/sandbox/records"},
		{"team-a", "cloudrun", "team-a/cloudrun/records"},
	}
	for _, tc := range cases {
		if got := gcphost.StatePath(tc.root, tc.backend); got != tc.want {
			t.Errorf("StatePath(%q, %q) = %q, want %q", tc.root, tc.backend, got, tc.want)
		}
	}
}
