package content_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sockerless/sockerless/functions/backends/local/content"
)

// referenceDocker runs the docker CLI against a real engine named by
// SOCKERLESS_REFERENCE_DOCKER_HOST; without one the test is skipped.
func referenceDocker(t *testing.T) func(args ...string) string {
	host := os.Getenv("SOCKERLESS_REFERENCE_DOCKER_HOST")
	if host == "" {
		t.Skip("set SOCKERLESS_REFERENCE_DOCKER_HOST to a real Docker Engine to compare against it")
	}
	return func(args ...string) string {
		t.Helper()
		cmd := exec.Command("docker", args...)
		cmd.Env = append(os.Environ(), "DOCKER_HOST="+host)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("docker %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}
}

func TestRealDockerLoadsSaveAndSavesForLoad(t *testing.T) {
	docker := referenceDocker(t)
	s, _ := openStore(t)
	rootfs := tarOf(t, dir("etc/"), file("etc/hostname", "box\n"))
	img, err := s.Import(t.Context(), bytes.NewReader(rootfs), []string{`CMD ["/bin/sh"]`}, "")
	if err != nil {
		t.Fatal(err)
	}
	tag := "sockerless-content-test:" + strings.TrimPrefix(img.ID, "sha256:")[:12]
	saved := filepath.Join(t.TempDir(), "saved.tar")
	f, err := os.Create(saved)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Save(t.Context(), f, []content.SaveImage{{ID: img.ID, RepoTags: []string{tag}}}); err != nil {
		t.Fatal(err)
	}
	f.Close()

	out := docker("load", "-i", saved)
	if !strings.Contains(out, "Loaded image: "+tag) {
		t.Fatalf("docker load said %q", out)
	}
	t.Cleanup(func() { docker("rmi", "-f", tag) })
	if id := strings.TrimSpace(docker("image", "inspect", "-f", "{{.Id}}", tag)); id != img.ID {
		t.Fatalf("docker sees ID %s, store has %s", id, img.ID)
	}

	// And back: real docker save output loads here with the same ID.
	resaved := filepath.Join(t.TempDir(), "resaved.tar")
	docker("save", "-o", resaved, tag)
	r, err := os.Open(resaved)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	other, _ := openStore(t)
	loaded, err := other.Load(t.Context(), r)
	if err != nil {
		t.Fatal(err)
	}
	if len(loaded) != 1 || loaded[0].Image.ID != img.ID || len(loaded[0].RepoTags) != 1 || loaded[0].RepoTags[0] != tag {
		t.Fatalf("loaded %+v", loaded)
	}
}
