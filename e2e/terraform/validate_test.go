package terraform

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sockerless/sockerless/e2e/tfsim"
	"github.com/sockerless/sockerless/functions/testing/awssimtest"
)

// TestModuleRejectsBadInput plans the module with inputs a user could get
// wrong and checks each is refused, before anything is created, with the
// module's own message.
func TestModuleRejectsBadInput(t *testing.T) {
	ws := tfsim.NewWorkspace(t)
	endpoint := awssimtest.Simulator(t, t.TempDir())
	// Planning only hashes the zips; nothing is uploaded.
	zip := filepath.Join(t.TempDir(), "plan-only.zip")
	if err := os.WriteFile(zip, []byte("PK\x05\x06"+strings.Repeat("\x00", 18)), 0o644); err != nil {
		t.Fatal(err)
	}
	good := func() map[string]any {
		return map[string]any{
			"endpoint": endpoint, "backends": []string{"ecs", "lambda"},
			"function_zips": map[string]string{"ecs": zip, "lambda": zip},
			"secret":        strings.Repeat("ab", 32),
		}
	}
	t.Run("valid input plans", func(t *testing.T) {
		if err := ws.SetVars(good()); err != nil {
			t.Fatal(err)
		}
		if _, err := ws.TF.Plan(t.Context()); err != nil {
			t.Fatalf("plan: %v", err)
		}
	})

	// Terraform checks every variable and reports every failure, so one
	// plan (each starts the 1.3 GB provider) covers several cases; the
	// zip check needs valid backends, so it gets a plan of its own.
	for _, plan := range []struct {
		name   string
		change func(v map[string]any)
		want   []string
	}{
		{"unknown backend, bad secret, bad name", func(v map[string]any) {
			v["backends"] = []string{"ecs", "azure"}
			v["secret"] = "zz"
			v["name"] = "my stack"
		}, []string{"backends must be a non-empty subset", "secret must be at least 16 bytes", "name must be 1-40 characters"}},
		{"backend without a zip", func(v map[string]any) { v["function_zips"] = map[string]string{"ecs": zip} },
			[]string{"function_zips needs a zip for every backend"}},
	} {
		t.Run(plan.name, func(t *testing.T) {
			vars := good()
			plan.change(vars)
			if err := ws.SetVars(vars); err != nil {
				t.Fatal(err)
			}
			_, err := ws.TF.Plan(t.Context())
			if err == nil {
				t.Fatal("the plan succeeded")
			}
			for _, msg := range plan.want {
				if !strings.Contains(flatten(err.Error()), msg) {
					t.Errorf("plan error does not say %q:\n%v", msg, err)
				}
			}
		})
	}
}

// flatten undoes Terraform's wrapping of long messages.
func flatten(s string) string { return strings.Join(strings.Fields(s), " ") }
