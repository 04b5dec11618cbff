package backends

import (
	"strings"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"

	"github.com/sockerless/sockerless/e2e/awsdeploy"
	"github.com/sockerless/sockerless/functions/backends/ecs"
	"github.com/sockerless/sockerless/functions/backends/lambda"
	"github.com/sockerless/sockerless/functions/testing/debimage"
	"github.com/sockerless/sockerless/sandbox/nsrun"
)

// TestNativeDebian runs a real Debian image on the ecs and lambda
// backends with the simulator's workloads on the native runtime (awssim
// --runtime native): the image, pushed to the simulated ECR, runs
// python3 and bash as Fargate or Lambda would, through the docker CLI,
// the edge, the backend's function and the simulated service, with the
// agent and the image's binaries running natively.
func TestNativeDebian(t *testing.T) {
	if testing.Short() {
		t.Skip("deploys to the simulator and builds or reads a Debian image: not in -short")
	}
	if err := nsrun.Supported(); err != nil {
		t.Skip("the simulator cannot run workloads natively here:", err)
	}
	tar := debimage.Require(t, "bookworm", "bash", "coreutils", "python3")
	d := awsdeploy.DeployOn(t, "native")
	img := d.PushImage(t, "e2e/debian", debianImage(t, tar))
	edge := awsdeploy.BuildEdge(t, t.TempDir())
	for _, backend := range []string{ecs.Backend, lambda.Backend} {
		t.Run(backend, func(t *testing.T) {
			e := d.StartEdge(t, edge, backend, t.TempDir(), "")
			if r := e.Docker("pull", img); r.Code != 0 {
				t.Fatalf("docker pull %s: %d %s", img, r.Code, r.Stderr)
			}
			for _, c := range []struct {
				name     string
				args     []string
				wantCode int
				wantOut  string
			}{
				{"python3 prints", []string{"python3", "-c", "print(1)"}, 0, "1\n"},
				{"python3's exit code is the container's", []string{"python3", "-c", "import sys; sys.exit(7)"}, 7, ""},
				{"bash sees the image's os-release", []string{"bash", "-c", ". /etc/os-release; echo $ID"}, 0, "debian\n"},
			} {
				t.Run(c.name, func(t *testing.T) {
					start := time.Now()
					r := e.Docker(append([]string{"run", "--rm", img}, c.args...)...)
					if r.Code != c.wantCode || r.Stdout != c.wantOut {
						t.Fatalf("docker run --rm %s %s: exit %d, stdout %q, want %d, %q; stderr %s",
							img, strings.Join(c.args, " "), r.Code, r.Stdout, c.wantCode, c.wantOut, r.Stderr)
					}
					t.Logf("%s backend, native workloads: docker run --rm DEBIAN %s: %v", backend, strings.Join(c.args, " "), time.Since(start).Round(time.Millisecond))
				})
			}
		})
	}
}

// debianImage is the Debian root filesystem tar as a one-layer image.
func debianImage(t *testing.T, tar string) v1.Image {
	t.Helper()
	layer, err := tarball.LayerFromFile(tar)
	if err != nil {
		t.Fatal(err)
	}
	img, err := mutate.AppendLayers(empty.Image, layer)
	if err != nil {
		t.Fatal(err)
	}
	img, err = mutate.Config(img, v1.Config{Env: []string{"PATH=/usr/local/bin:/usr/bin:/bin"}, Cmd: []string{"bash"}})
	if err != nil {
		t.Fatal(err)
	}
	return img
}
