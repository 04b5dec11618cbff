package localmode

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestInfoAndVersionSayWhere: the real docker CLI's `docker info` and
// `docker version` name the backend, where the function runs and its
// store.
func TestInfoAndVersionSayWhere(t *testing.T) {
	docker, err := exec.LookPath("docker")
	if err != nil {
		t.Skip("the docker CLI is not installed: ", err)
	}
	data := t.TempDir()
	inst, _ := startWith(t, context.Background(), Options{
		Socket: filepath.Join(shortTempDir(t), "docker.sock"), DataDir: data,
	})
	store := "bbolt " + filepath.Join(data, "state.db")
	for _, c := range []struct {
		name string
		args []string
		want []string
	}{
		{"info lists them under the storage driver", []string{"info"},
			[]string{"Storage Driver: local", "Backend: local", "Function: in-process (local mode)", "Store: " + store}},
		{"version shows them as a component", []string{"version"},
			[]string{"Sockerless local:", "Backend:", "Function:", "in-process (local mode)", store}},
	} {
		t.Run(c.name, func(t *testing.T) {
			cmd := exec.Command(docker, c.args...)
			cmd.Env = append(os.Environ(), "DOCKER_HOST="+inst.DockerHost, "DOCKER_CONFIG="+t.TempDir())
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("docker %s: %v\n%s", c.args[0], err, out)
			}
			for _, w := range c.want {
				if !strings.Contains(string(out), w) {
					t.Errorf("docker %s does not say %q:\n%s", c.args[0], w, out)
				}
			}
		})
	}
}
