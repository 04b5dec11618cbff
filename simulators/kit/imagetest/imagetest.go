// Package imagetest builds the small OCI images the simulators' tests run
// as containers (ECS tasks, Lambda functions, Cloud Run jobs), in memory,
// for a test to push to the registry it runs them from.
package imagetest

import (
	"archive/tar"
	"bytes"
	"io"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

// Tools is a two-layer image: the base has a passwd file, a placeholder
// /bin/sh (the sandbox interprets sh itself) and a file the second layer
// deletes with a whiteout, so a container seeing it proves the layers
// were not flattened correctly.
func Tools(t testing.TB) v1.Image {
	t.Helper()
	base := Layer(t, map[string]string{
		"etc/passwd":    "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\n",
		"etc/group":     "root:x:0:\napp:x:1000:\n",
		"bin/sh":        "placeholder: the sandbox runs sh itself\n",
		"etc/hello.txt": "hello from the image\n",
		"etc/gone.txt":  "deleted by the next layer\n",
	})
	top := Layer(t, map[string]string{"etc/.wh.gone.txt": ""})
	img, err := mutate.AppendLayers(empty.Image, base, top)
	if err != nil {
		t.Fatal(err)
	}
	img, err = mutate.Config(img, v1.Config{Env: []string{"PATH=/usr/local/bin:/usr/bin:/bin", "FROM_IMAGE=yes"}, Cmd: []string{"sh"}, WorkingDir: "/"})
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// Layer is a layer of regular files (path → content); files under bin/
// are executable.
func Layer(t testing.TB, files map[string]string) v1.Layer {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for name, body := range files {
		mode := int64(0o644)
		if strings.HasPrefix(name, "bin/") {
			mode = 0o755
		}
		if err := tw.WriteHeader(&tar.Header{Name: name, Mode: mode, Size: int64(len(body)), Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		tw.Write([]byte(body))
	}
	tw.Close()
	b := buf.Bytes()
	l, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil })
	if err != nil {
		t.Fatal(err)
	}
	return l
}
