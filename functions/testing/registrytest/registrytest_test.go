package registrytest_test

import (
	"archive/tar"
	"bytes"
	"io"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/sockerless/sockerless/functions/testing/registrytest"
)

func TestPushThenPullBack(t *testing.T) {
	reg := registrytest.Start(t)
	files := registrytest.BaseFiles()
	files["bin/sh"] = "#!shell"
	files["bin/ash"] = "->sh"
	files["opt/deep/dir/"] = ""
	img := registrytest.Image(t, files, v1.Config{Cmd: []string{"/bin/sh"}, Env: []string{"A=1"}})
	ref := reg.Push(t, "test/base:1", img)
	if want := reg.Host() + "/test/base:1"; ref != want {
		t.Fatalf("ref = %q, want %q", ref, want)
	}

	r, err := name.ParseReference(ref, name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	got, err := remote.Image(r)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := img.Digest()
	if d, _ := got.Digest(); d != want {
		t.Fatalf("pulled digest %s, pushed %s", d, want)
	}
	cf, err := got.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	if cf.OS != "linux" || cf.Architecture != "amd64" || cf.Config.Cmd[0] != "/bin/sh" {
		t.Fatalf("config = %+v", cf)
	}

	layers, _ := got.Layers()
	if len(layers) != 1 {
		t.Fatalf("%d layers", len(layers))
	}
	rc, err := layers[0].Uncompressed()
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	seen := map[string]*tar.Header{}
	tr := tar.NewReader(rc)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		seen[h.Name] = h
		if h.Name == "etc/passwd" {
			b, _ := io.ReadAll(tr)
			if !bytes.HasPrefix(b, []byte("root:x:0:0:")) {
				t.Fatalf("etc/passwd = %q", b)
			}
		}
	}
	checks := []struct {
		name string
		typ  byte
		link string
	}{
		{"bin/", tar.TypeDir, ""},
		{"bin/sh", tar.TypeReg, ""},
		{"bin/ash", tar.TypeSymlink, "sh"},
		{"opt/", tar.TypeDir, ""},
		{"opt/deep/", tar.TypeDir, ""},
		{"etc/hostname", tar.TypeReg, ""},
		{"tmp/", tar.TypeDir, ""},
	}
	for _, c := range checks {
		h, ok := seen[c.name]
		if !ok {
			t.Errorf("%s missing from the layer", c.name)
			continue
		}
		if h.Typeflag != c.typ || h.Linkname != c.link {
			t.Errorf("%s: type %c link %q, want %c %q", c.name, h.Typeflag, h.Linkname, c.typ, c.link)
		}
	}
	if seen["tmp/"].Mode&0o1000 == 0 {
		t.Errorf("tmp/ mode %o lacks the sticky bit", seen["tmp/"].Mode)
	}
}

func TestImagesAreReproducible(t *testing.T) {
	a := registrytest.Image(t, registrytest.BaseFiles(), v1.Config{})
	b := registrytest.Image(t, registrytest.BaseFiles(), v1.Config{})
	da, _ := a.Digest()
	db, _ := b.Digest()
	if da != db {
		t.Fatalf("same files gave %s and %s", da, db)
	}
}
