package awsdeploy

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/sockerless/sockerless/e2e/cloud"
	"github.com/sockerless/sockerless/e2e/harness"
)

// BuildEdge builds the edge binary into dir.
func BuildEdge(t testing.TB, dir string) string {
	t.Helper()
	return cloud.BuildEdge(t, dir)
}

// StartEdge runs the edge binary bin in front of backend's function,
// with its socket in dir and agents dialling agentAddr ("" for any
// port); it is stopped when the test ends.
func (d *Deployment) StartEdge(t testing.TB, bin, backend, dir, agentAddr string) *harness.Engine {
	t.Helper()
	socket := filepath.Join(dir, "docker.sock")
	// The tests' bind-mount sources are temporary directories.
	cmd := exec.Command(bin, "--function", d.Outputs.Functions[backend], "--socket", socket, "--bind-root", os.TempDir())
	if agentAddr != "" {
		cmd.Args = append(cmd.Args, "--agent-listen", agentAddr)
	}
	cmd.Env = append(harness.CleanEnv(), d.EdgeEnv()...)
	e, err := harness.Launch("edge-"+backend, cmd, socket, "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("edge output:\n%s", e.LogTail())
		}
		_ = e.Stop()
	})
	return e
}

// PushTestImage pushes the e2e busybox image to a new repository of
// the simulator's ECR and returns its reference. The repository is
// deleted when the test ends.
func (d *Deployment) PushTestImage(t testing.TB) string {
	t.Helper()
	fs, err := harness.BuildRootfs()
	if err != nil {
		t.Fatal(err)
	}
	img := d.tempRepository(t, "e2e/busybox") + ":1"
	if err := harness.PushTestImage(fs, img, remote.WithAuthFromKeychain(d.Keychain)); err != nil {
		t.Fatal(err)
	}
	return img
}

// PushImage pushes img to a new ECR repository repo, deleted when the
// test ends, and returns its reference.
func (d *Deployment) PushImage(t testing.TB, repo string, img v1.Image) string {
	t.Helper()
	ref := d.tempRepository(t, repo) + ":1"
	r, err := name.ParseReference(ref, name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(r, img, remote.WithAuthFromKeychain(d.Keychain)); err != nil {
		t.Fatalf("pushing %s: %v", ref, err)
	}
	return ref
}

// tempRepository makes an ECR repository, deleted with its images when
// the test ends, and returns its URI.
func (d *Deployment) tempRepository(t testing.TB, repo string) string {
	t.Helper()
	uri := d.CreateRepository(t, repo)
	t.Cleanup(func() {
		_, err := ecr.NewFromConfig(d.Config).DeleteRepository(context.Background(), &ecr.DeleteRepositoryInput{
			RepositoryName: aws.String(repo), Force: true,
		})
		if err != nil {
			t.Errorf("delete the repository %s: %v", repo, err)
		}
	})
	return uri
}
