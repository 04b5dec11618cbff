package tfsim

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/sockerless/sockerless/functions/testing/awssimtest"
)

// BuildZips returns backend → deployment zip for every backend, taking
// the ones in have as they are and building the others from
// ./functions/backends/<backend>/cmd/bootstrap with functions/cmd/lambdazip.
func BuildZips(t testing.TB, dir string, backends []string, have map[string]string) map[string]string {
	t.Helper()
	root := awssimtest.WorkspaceRoot(t)
	out := map[string]string{}
	var lambdazip string
	for _, b := range backends {
		if z, ok := have[b]; ok {
			out[b] = z
			continue
		}
		if lambdazip == "" {
			lambdazip = awssimtest.Build(t, dir, "lambdazip", "./functions/cmd/lambdazip", nil)
		}
		pkg := "./functions/backends/" + b + "/cmd/bootstrap"
		if _, err := os.Stat(filepath.Join(root, pkg)); err != nil {
			t.Fatalf("backend %s: no control-plane function to deploy: %v", b, err)
		}
		zip := filepath.Join(dir, b+".zip")
		cmd := exec.Command(lambdazip, "-pkg", pkg, "-o", zip)
		cmd.Dir = root
		if msg, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("lambdazip %s: %v\n%s", pkg, err, msg)
		}
		out[b] = zip
	}
	return out
}
