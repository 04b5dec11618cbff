package engine

import (
	"archive/tar"
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"testing"

	"github.com/opencontainers/go-digest"
	"github.com/sockerless/sockerless/sandbox/unpack"
)

// tarBytes is a tar of the named files (a name ending in "/" is a
// directory).
func tarBytes(t *testing.T, names ...string) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, n := range names {
		h := &tar.Header{Name: n, Mode: 0o644, Typeflag: tar.TypeReg, Size: int64(len(n))}
		if n[len(n)-1] == '/' {
			h.Typeflag, h.Size = tar.TypeDir, 0
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if h.Typeflag == tar.TypeReg {
			_, _ = io.WriteString(tw, n)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// tarNames lists a tar's entry names and reads its files' bodies.
func tarNames(t *testing.T, r io.Reader) ([]string, map[string][]byte) {
	t.Helper()
	var names []string
	bodies := map[string][]byte{}
	tr := tar.NewReader(r)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return names, bodies
		}
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, h.Name)
		bodies[h.Name], _ = io.ReadAll(tr)
	}
}

func savedWith(t *testing.T, layers ...[]byte) *savedImage {
	t.Helper()
	s := &savedImage{dir: t.TempDir(), layers: map[digest.Digest]string{}}
	for i, l := range layers {
		p := filepath.Join(s.dir, "l"+string(rune('0'+i)))
		if err := os.WriteFile(p, l, 0o600); err != nil {
			t.Fatal(err)
		}
		s.layers[digest.FromBytes(l)] = p
	}
	return s
}

func TestDropFromLayer(t *testing.T) {
	tests := []struct {
		name  string
		layer []byte
		want  []string // "" : nothing left
	}{
		{name: "drops the agent's mount point", layer: tarBytes(t, ".sockerless/", ".sockerless/agent", "tmp/", "tmp/new"), want: []string{"tmp/", "tmp/new"}},
		{name: "keeps a look-alike", layer: tarBytes(t, ".sockerless-not/", "x"), want: []string{".sockerless-not/", "x"}},
		{name: "nothing left", layer: tarBytes(t, "./.sockerless/", "./.sockerless/agent")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := savedWith(t, tt.layer)
			id, err := s.dropFromLayer(digest.FromBytes(tt.layer), isAgentPath)
			if err != nil {
				t.Fatal(err)
			}
			if tt.want == nil {
				if id != "" {
					t.Fatalf("diff ID %s, want none: the layer is empty", id)
				}
				return
			}
			b, err := os.ReadFile(s.layers[id])
			if err != nil {
				t.Fatal(err)
			}
			if digest.FromBytes(b) != id {
				t.Fatalf("diff ID %s is not the new layer's digest %s", id, digest.FromBytes(b))
			}
			if names, _ := tarNames(t, bytes.NewReader(b)); !reflect.DeepEqual(names, tt.want) {
				t.Fatalf("entries %q, want %q", names, tt.want)
			}
		})
	}
}

func TestWriteArchive(t *testing.T) {
	layer := tarBytes(t, "a")
	s := savedWith(t, layer)
	config := []byte(`{"architecture":"amd64"}`)
	var buf bytes.Buffer
	if err := writeArchive(&buf, s, config, []digest.Digest{digest.FromBytes(layer), emptyLayer}); err != nil {
		t.Fatal(err)
	}
	names, bodies := tarNames(t, &buf)
	sort.Strings(names)
	cfgName := digest.FromBytes(config).Encoded() + ".json"
	if want := []string{cfgName, "layer-0.tar", "layer-1.tar", "manifest.json"}; !reflect.DeepEqual(names, want) {
		t.Fatalf("archive entries %q, want %q", names, want)
	}
	var manifest []struct {
		Config   string
		RepoTags []string
		Layers   []string
	}
	if err := json.Unmarshal(bodies["manifest.json"], &manifest); err != nil {
		t.Fatal(err)
	}
	if len(manifest) != 1 || manifest[0].Config != cfgName || !reflect.DeepEqual(manifest[0].Layers, []string{"layer-0.tar", "layer-1.tar"}) {
		t.Fatalf("manifest %s", bodies["manifest.json"])
	}
	if !bytes.Equal(bodies["layer-0.tar"], layer) || digest.FromBytes(bodies["layer-1.tar"]) != emptyLayer || !bytes.Equal(bodies[cfgName], config) {
		t.Fatal("archive bodies are not the layers and config given")
	}
}

// TestArchiveLinksStayInside: a link in the engine's save archive is
// followed inside the archive's directory only.
func TestArchiveLinksStayInside(t *testing.T) {
	tests := []struct {
		name, link string
		wantErr    bool
	}{
		{name: "sibling", link: "../b/layer.tar"},
		{name: "escapes", link: "../../etc/passwd", wantErr: true},
		{name: "absolute", link: "/etc/passwd", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			tw := tar.NewWriter(&buf)
			_ = tw.WriteHeader(&tar.Header{Name: "a/layer.tar", Typeflag: tar.TypeSymlink, Linkname: tt.link})
			_ = tw.WriteHeader(&tar.Header{Name: "b/layer.tar", Typeflag: tar.TypeReg, Mode: 0o644})
			_ = tw.Close()
			s := &savedImage{dir: t.TempDir()}
			if err := unpack.Untar(&buf, s.dir, unpack.OwnerWritable); err != nil {
				t.Fatal(err)
			}
			p, err := s.path("a/layer.tar")
			if (err != nil) != tt.wantErr {
				t.Fatalf("path = %q, %v; want error %v", p, err, tt.wantErr)
			}
			if err == nil && p != filepath.Join(s.dir, "b", "layer.tar") {
				t.Fatalf("path = %q, want b/layer.tar in the archive", p)
			}
		})
	}
}
