package e2e

import (
	"io"
	"os"
	"runtime"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"

	"github.com/sockerless/sockerless/e2e/cloud"
	"github.com/sockerless/sockerless/e2e/harness"
)

// importedRepo is the registry repository of the imported image's copy.
const importedRepo = "e2e/imported"

// pushImportedImage pushes to the simulator's registry the image that
// harness.ImportImage makes on a local engine: the test rootfs as one
// layer, CMD ["sh"], ENV PATH, and the history entry `docker import`
// writes. The cloud backends cannot import (their images live in a
// registry), so this copy is how the scenarios' @img@ reaches them with
// the config the scenarios were written for. It returns the reference.
func pushImportedImage(t *testing.T, d cloud.Deployment) string {
	t.Helper()
	layer, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) { return os.Open(rootfs.Tar) })
	if err != nil {
		t.Fatal(err)
	}
	img, err := mutate.AppendLayers(empty.Image, layer)
	if err != nil {
		t.Fatal(err)
	}
	cf, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	cf = cf.DeepCopy()
	cf.Architecture, cf.OS = runtime.GOARCH, "linux"
	cf.Config = v1.Config{Cmd: []string{"sh"}, Env: []string{"PATH=" + harness.ImagePath}}
	now := v1.Time{Time: time.Now().UTC()}
	cf.Created = now
	cf.History = []v1.History{{Created: now, Comment: "Imported from -"}}
	if img, err = mutate.ConfigFile(img, cf); err != nil {
		t.Fatal(err)
	}
	return d.PushImage(t, importedRepo, img)
}
