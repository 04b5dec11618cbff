package backends

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	ecrtypes "github.com/aws/aws-sdk-go-v2/service/ecr/types"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/sockerless/sockerless/e2e/awsdeploy"
	"github.com/sockerless/sockerless/e2e/cloud"
	"github.com/sockerless/sockerless/e2e/harness"
)

func init() {
	cloudTests["aws"] = append(cloudTests["aws"], cloudTest{"cloud errors and large bodies", func(t *testing.T, d cloud.Deployment, e *harness.Engine, backend, img string) {
		testBadInput(t, d.(*awsdeploy.Deployment), e, backend, img)
	}})
}

// testBadInput: what the cloud refuses reaches the user as Docker's error
// with the cloud's reason, and bodies past Lambda's payload limit either
// go around it (an archive for a running container) or are refused.
func testBadInput(t *testing.T, d *awsdeploy.Deployment, e *harness.Engine, backend, img string) {
	t.Run("image missing in ECR", func(t *testing.T) {
		ref := d.Registry + "/e2e/busybox:nosuch"
		run(t, e, step{args: []string{"run", "--rm", ref}, code: 125, errHas: []string{"manifest unknown"}}, img)
	})

	t.Run("image deleted from ECR after the pull", func(t *testing.T) {
		repo := "e2e/gone-" + backend
		gone := d.CreateRepository(t, repo) + ":1"
		pushTestImage(t, d, gone)
		run(t, e, step{args: []string{"pull", gone}}, img)
		c := ecr.NewFromConfig(d.Config)
		if _, err := c.BatchDeleteImage(t.Context(), &ecr.BatchDeleteImageInput{
			RepositoryName: aws.String(repo), ImageIds: []ecrtypes.ImageIdentifier{{ImageTag: aws.String("1")}},
		}); err != nil {
			t.Fatal(err)
		}
		defer c.DeleteRepository(context.Background(), &ecr.DeleteRepositoryInput{RepositoryName: aws.String(repo), Force: true})
		switch backend {
		case "ecs":
			// Fargate pulls after RunTask succeeded: the task stops, and
			// the container exits as a failed start does, with ECS's
			// reason in State.Error, which docker run reports (as dockerd's
			// wait does) and exits 125 for.
			run(t, e, step{args: []string{"run", "--name", "gone", "--entrypoint", "true", gone}, code: 125, errHas: []string{"CannotPullContainerError", "MANIFEST_UNKNOWN"}}, img)
			run(t, e, step{args: []string{"inspect", "-f", "{{.State.ExitCode}} {{.State.Error}}", "gone"}, has: []string{"128 ECS task stopped: CannotPullContainerError"}}, img)
			run(t, e, step{args: []string{"rm", "gone"}}, img)
		case "lambda":
			// The function image is made at start: the start fails.
			run(t, e, step{args: []string{"run", "--rm", "--entrypoint", "true", gone}, code: 125, errHas: []string{"failed to start container", "MANIFEST_UNKNOWN"}}, img)
		}
	})

	big := filepath.Join(t.TempDir(), "big.bin")
	if err := os.WriteFile(big, make([]byte, 7<<20), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Run("archive past the payload limit into a running container", func(t *testing.T) {
		run(t, e, step{args: []string{"run", "-d", "--name", "cp", "--entrypoint", "sh", "@img@", "-c", "sleep 60"}}, img)
		run(t, e, step{args: []string{"cp", big, "cp:/tmp/big.bin"}}, img)
		run(t, e, step{args: []string{"exec", "cp", "wc", "-c", "/tmp/big.bin"}, has: []string{"7340032"}}, img)
		run(t, e, step{args: []string{"rm", "-f", "cp"}}, img)
	})
	t.Run("image load past the payload limit", func(t *testing.T) {
		run(t, e, step{args: []string{"load", "-i", big}, code: 1, errHas: []string{"exceeds the 6291456-byte Lambda invoke payload limit"}}, img)
	})
}

// pushTestImage pushes the test image to ref in the simulator's ECR.
func pushTestImage(t *testing.T, d *awsdeploy.Deployment, ref string) {
	t.Helper()
	fs, err := harness.BuildRootfs()
	if err != nil {
		t.Fatal(err)
	}
	if err := harness.PushTestImage(fs, ref, remoteAuth(d)...); err != nil {
		t.Fatal(err)
	}
}

func remoteAuth(d *awsdeploy.Deployment) []remote.Option {
	return []remote.Option{remote.WithAuthFromKeychain(d.Keychain)}
}
