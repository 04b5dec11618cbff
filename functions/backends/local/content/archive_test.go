package content_test

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/tarball"

	"github.com/sockerless/sockerless/functions/backends/local/content"
)

func gzipped(t *testing.T, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(b)
	zw.Close()
	return buf.Bytes()
}

func TestImportChanges(t *testing.T) {
	rootfs := tarOf(t, dir("bin/"), file("bin/hello", "hi"), file("etc/motd", "welcome"))
	tests := []struct {
		name    string
		input   []byte
		changes []string
		check   func(t *testing.T, c v1.Config)
	}{
		{"plain tar, JSON forms", rootfs, []string{`CMD ["/bin/hello", "x"]`, `ENTRYPOINT ["/bin/sh"]`, `VOLUME ["/data"]`}, func(t *testing.T, c v1.Config) {
			if !slices.Equal(c.Cmd, []string{"/bin/hello", "x"}) || !slices.Equal(c.Entrypoint, []string{"/bin/sh"}) {
				t.Errorf("Cmd %q Entrypoint %q", c.Cmd, c.Entrypoint)
			}
			if _, ok := c.Volumes["/data"]; !ok {
				t.Errorf("Volumes = %v", c.Volumes)
			}
		}},
		{"gzip tar, shell forms", gzipped(t, rootfs), []string{"CMD echo hi there", "ENV A=1 B=\"two words\"", "ENV LEGACY some value", "WORKDIR /srv", "USER nobody", "EXPOSE 80 53/udp", `LABEL a=b "c d"=e`}, func(t *testing.T, c v1.Config) {
			if !slices.Equal(c.Cmd, []string{"/bin/sh", "-c", "echo hi there"}) {
				t.Errorf("Cmd = %q", c.Cmd)
			}
			if !slices.Equal(c.Env, []string{"A=1", "B=two words", "LEGACY=some value"}) {
				t.Errorf("Env = %q", c.Env)
			}
			if c.WorkingDir != "/srv" || c.User != "nobody" {
				t.Errorf("WorkingDir %q User %q", c.WorkingDir, c.User)
			}
			_, tcp := c.ExposedPorts["80/tcp"]
			_, udp := c.ExposedPorts["53/udp"]
			if !tcp || !udp {
				t.Errorf("ExposedPorts = %v", c.ExposedPorts)
			}
			if c.Labels["a"] != "b" || c.Labels["c d"] != "e" {
				t.Errorf("Labels = %v", c.Labels)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, _ := openStore(t)
			img, err := s.Import(t.Context(), bytes.NewReader(tt.input), tt.changes, "linux/arm64")
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, img.Config.Config)
			if img.Config.OS != "linux" || img.Config.Architecture != "arm64" {
				t.Errorf("platform %s/%s", img.Config.OS, img.Config.Architecture)
			}
			if h := img.Config.History; len(h) != 1 || h[0].Comment != "Imported from -" {
				t.Errorf("History = %+v", h)
			}
			if img.Size != int64(len(rootfs)) {
				t.Errorf("Size = %d, want %d", img.Size, len(rootfs))
			}
		})
	}
	t.Run("rejects", func(t *testing.T) {
		s, dir := openStore(t)
		for _, c := range []struct {
			input   []byte
			changes []string
		}{
			{rootfs, []string{"RUN rm -rf /"}},
			// Docker reads a malformed JSON form as shell form; a
			// variable expansion that cannot parse is refused.
			{rootfs, []string{"ENV A=${B"}},
			{[]byte("this is not a tar archive, not at all, it is a sentence long enough to fill a header block" + strings.Repeat(".", 600)), nil},
		} {
			if _, err := s.Import(t.Context(), bytes.NewReader(c.input), c.changes, ""); err == nil {
				t.Errorf("Import(%q) succeeded", c.changes)
			}
		}
		if n := blobCount(t, dir); n != 0 {
			t.Errorf("%d blobs left by failed imports", n)
		}
	})
}

// readTar maps names to contents.
func readTarFiles(t *testing.T, b []byte) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	tr := tar.NewReader(bytes.NewReader(b))
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(tr)
		out[h.Name] = body
	}
}

func TestImportSaveLoadRoundTrip(t *testing.T) {
	src, _ := openStore(t)
	rootfs := tarOf(t, dir("etc/"), file("etc/hostname", "box\n"), dir("bin/"), symlink("bin/sh", "busybox"))
	img, err := src.Import(t.Context(), bytes.NewReader(rootfs), []string{`CMD ["/bin/sh"]`}, "")
	if err != nil {
		t.Fatal(err)
	}
	var archive bytes.Buffer
	if err := src.Save(t.Context(), &archive, []content.SaveImage{{ID: img.ID, RepoTags: []string{"mine:1", "registry.example:5000/team/mine:2"}}}); err != nil {
		t.Fatal(err)
	}

	files := readTarFiles(t, archive.Bytes())
	for _, want := range []string{"manifest.json", "index.json", "oci-layout", "blobs/sha256/" + strings.TrimPrefix(img.ID, "sha256:")} {
		if _, ok := files[want]; !ok {
			t.Errorf("archive lacks %s", want)
		}
	}
	var manifest tarball.Manifest
	if err := json.Unmarshal(files["manifest.json"], &manifest); err != nil {
		t.Fatal(err)
	}
	if len(manifest) != 1 || !slices.Equal(manifest[0].RepoTags, []string{"mine:1", "registry.example:5000/team/mine:2"}) || len(manifest[0].Layers) != 1 {
		t.Fatalf("manifest.json = %+v", manifest)
	}
	var index v1.IndexManifest
	if err := json.Unmarshal(files["index.json"], &index); err != nil {
		t.Fatal(err)
	}
	if len(index.Manifests) != 2 || index.Manifests[0].Annotations["io.containerd.image.name"] != "docker.io/library/mine:1" {
		t.Fatalf("index.json = %s", files["index.json"])
	}

	dst, _ := openStore(t)
	loaded, err := dst.Load(t.Context(), bytes.NewReader(archive.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if len(loaded) != 1 || loaded[0].Image.ID != img.ID {
		t.Fatalf("loaded %+v, want ID %s", loaded, img.ID)
	}
	if !slices.Equal(loaded[0].RepoTags, []string{"mine:1", "registry.example:5000/team/mine:2"}) {
		t.Errorf("RepoTags = %q", loaded[0].RepoTags)
	}
	if loaded[0].Image.Size != img.Size || loaded[0].Image.Config.Config.Cmd[0] != "/bin/sh" {
		t.Errorf("loaded image = %+v", loaded[0].Image)
	}
	root, err := dst.Rootfs(t.Context(), img.ID)
	if err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(filepath.Join(root, "etc/hostname")); err != nil || string(b) != "box\n" {
		t.Errorf("etc/hostname = %q, %v", b, err)
	}
}

func TestLoadDockerArchiveFromGGCR(t *testing.T) {
	a := imageOf(t, tarOf(t, file("a", "1")), tarOf(t, file("b", "2")))
	b := imageOf(t, tarOf(t, file("a", "1")), tarOf(t, file("c", "3")))
	tagA, _ := name.NewTag("example.com/app:1")
	tagB, _ := name.NewTag("busybox:latest")
	var buf bytes.Buffer
	if err := tarball.MultiWrite(map[name.Tag]v1.Image{tagA: a, tagB: b}, &buf); err != nil {
		t.Fatal(err)
	}
	s, dir := openStore(t)
	loaded, err := s.Load(t.Context(), &buf)
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string][]string{}
	for _, l := range loaded {
		byID[l.Image.ID] = l.RepoTags
	}
	if got := byID[configID(t, a)]; !slices.Equal(got, []string{"example.com/app:1"}) {
		t.Errorf("image a tags = %q (loaded %v)", got, byID)
	}
	if got := byID[configID(t, b)]; !slices.Equal(got, []string{"busybox:latest"}) {
		t.Errorf("image b tags = %q (loaded %v)", got, byID)
	}
	// 3 distinct layers, 2 configs, 2 manifests: the shared layer once.
	if n := blobCount(t, dir); n != 7 {
		t.Errorf("%d blobs, want 7", n)
	}
}

func TestLoadOCILayout(t *testing.T) {
	img := imageOf(t, tarOf(t, file("hello", "world")))
	dir := t.TempDir()
	p, err := layout.Write(dir, empty.Index)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.AppendImage(img, layout.WithAnnotations(map[string]string{"io.containerd.image.name": "docker.io/library/oci:2"})); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		b, _ := os.ReadFile(path)
		tw.WriteHeader(&tar.Header{Name: rel, Mode: 0o644, Size: int64(len(b)), Typeflag: tar.TypeReg})
		tw.Write(b)
		return nil
	})
	tw.Close()

	s, _ := openStore(t)
	loaded, err := s.Load(t.Context(), &buf)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := img.Digest()
	if len(loaded) != 1 || loaded[0].Image.ID != configID(t, img) || loaded[0].Image.Manifest.Digest != want {
		t.Fatalf("loaded %+v", loaded)
	}
	if !slices.Equal(loaded[0].RepoTags, []string{"oci:2"}) {
		t.Errorf("RepoTags = %q", loaded[0].RepoTags)
	}
}

func TestLoadRejectsCorruptLayer(t *testing.T) {
	img := imageOf(t, tarOf(t, file("a", "1")))
	tag, _ := name.NewTag("bad:1")
	var buf bytes.Buffer
	if err := tarball.Write(tag, img, &buf); err != nil {
		t.Fatal(err)
	}
	// Swap the layer for another with the same name: its content no
	// longer matches the config's diff ID.
	files := readTarFiles(t, buf.Bytes())
	var out bytes.Buffer
	tw := tar.NewWriter(&out)
	for n, b := range files {
		if strings.HasSuffix(n, ".tar.gz") {
			b = gzipped(t, tarOf(t, file("a", "tampered")))
		}
		tw.WriteHeader(&tar.Header{Name: n, Mode: 0o644, Size: int64(len(b)), Typeflag: tar.TypeReg})
		tw.Write(b)
	}
	tw.Close()
	s, dir := openStore(t)
	if _, err := s.Load(t.Context(), &out); err == nil || !strings.Contains(err.Error(), "config says") {
		t.Fatalf("Load of a tampered archive: %v", err)
	}
	if n := blobCount(t, dir); n != 0 {
		t.Errorf("%d blobs left", n)
	}
}
