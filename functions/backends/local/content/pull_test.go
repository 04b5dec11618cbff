package content_test

import (
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/moby/moby/api/types/jsonstream"

	"github.com/sockerless/sockerless/functions/backends/local/content"
	"github.com/sockerless/sockerless/functions/testing/registrytest"
)

func pull(t *testing.T, s *content.Store, ref string) (content.Image, []jsonstream.Message) {
	t.Helper()
	var msgs []jsonstream.Message
	img, err := s.Pull(t.Context(), ref, content.PullOptions{}, func(m jsonstream.Message) { msgs = append(msgs, m) })
	if err != nil {
		t.Fatalf("Pull(%s): %v", ref, err)
	}
	return img, msgs
}

// statuses returns the statuses reported for one layer ID, in order,
// collapsing repeated progress messages.
func statuses(msgs []jsonstream.Message, id string) []string {
	var out []string
	for _, m := range msgs {
		if m.ID != id {
			continue
		}
		if len(out) > 0 && out[len(out)-1] == m.Status {
			continue
		}
		out = append(out, m.Status)
	}
	return out
}

func TestPull(t *testing.T) {
	reg := registrytest.Start(t)
	base := registrytest.BaseFiles()
	img, err := registrytest.NewImage(v1.Config{Cmd: []string{"/bin/sh"}, Env: []string{"PATH=/bin"}}, base, map[string]string{"app/run": "#!/bin/sh\necho hi\n"})
	if err != nil {
		t.Fatal(err)
	}
	ref := reg.Push(t, "test/app:v1", img)
	s, _ := openStore(t)

	got, msgs := pull(t, s, ref)

	manifestDigest, _ := img.Digest()
	if got.ID != configID(t, img) {
		t.Errorf("ID = %s, want %s", got.ID, configID(t, img))
	}
	if want := reg.Host() + "/test/app@" + manifestDigest.String(); len(got.RepoDigests) != 1 || got.RepoDigests[0] != want {
		t.Errorf("RepoDigests = %q, want [%s]", got.RepoDigests, want)
	}
	if want := uncompressedSize(t, img); got.Size != want {
		t.Errorf("Size = %d, want %d", got.Size, want)
	}
	if got.Config.Config.Cmd[0] != "/bin/sh" || got.Config.OS != "linux" {
		t.Errorf("Config = %+v", got.Config)
	}

	if m := msgs[0]; m.Status != "Pulling from test/app" || m.ID != "v1" {
		t.Errorf("first message = %+v", m)
	}
	n := len(msgs)
	if msgs[n-2].Status != "Digest: "+manifestDigest.String() {
		t.Errorf("digest message = %+v", msgs[n-2])
	}
	if want := "Status: Downloaded newer image for " + ref; msgs[n-1].Status != want {
		t.Errorf("last message = %q, want %q", msgs[n-1].Status, want)
	}
	m, _ := img.Manifest()
	want := "Pulling fs layer,Downloading,Verifying Checksum,Download complete,Extracting,Pull complete"
	for _, l := range m.Layers {
		id := l.Digest.Hex[:12]
		if got := strings.Join(statuses(msgs, id), ","); got != want {
			t.Errorf("layer %s statuses = %s, want %s", id, got, want)
		}
		for _, msg := range msgs {
			if msg.ID == id && msg.Status == "Downloading" && (msg.Progress == nil || msg.Progress.Total != l.Size || msg.Progress.Current > l.Size) {
				t.Errorf("layer %s progress = %+v, want total %d", id, msg.Progress, l.Size)
			}
		}
	}

	t.Run("again is up to date", func(t *testing.T) {
		again, msgs := pull(t, s, ref)
		if again.ID != got.ID {
			t.Fatalf("ID changed: %s", again.ID)
		}
		if len(msgs) != 3 || msgs[2].Status != "Status: Image is up to date for "+ref {
			t.Fatalf("messages = %+v", msgs)
		}
	})

	t.Run("shared layer already exists", func(t *testing.T) {
		other, err := registrytest.NewImage(v1.Config{Cmd: []string{"/bin/true"}}, base, map[string]string{"other": "x"})
		if err != nil {
			t.Fatal(err)
		}
		ref2 := reg.Push(t, "test/other", other)
		img2, msgs := pull(t, s, ref2)
		baseLayer := m.Layers[0].Digest.Hex[:12]
		if got := strings.Join(statuses(msgs, baseLayer), ","); got != "Already exists" {
			t.Errorf("shared layer statuses = %s", got)
		}
		if want := uncompressedSize(t, other); img2.Size != want {
			t.Errorf("Size = %d, want %d", img2.Size, want)
		}
		if !strings.HasSuffix(msgs[len(msgs)-1].Status, reg.Host()+"/test/other:latest") {
			t.Errorf("last message %q lacks the default tag", msgs[len(msgs)-1].Status)
		}
	})
}

func TestPullUnreachableRecordsNothing(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	host := l.Addr().String()
	l.Close()

	s, dir := openStore(t)
	_, err = s.Pull(t.Context(), host+"/nothing/here:1", content.PullOptions{}, nil)
	if err == nil {
		t.Fatal("Pull from a closed port succeeded")
	}
	for _, want := range []string{host, "connection refused"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
	t.Log(err)
	assertEmpty(t, s, dir)
}

func TestPullMissingBlobRecordsNothing(t *testing.T) {
	img, err := registrytest.NewImage(v1.Config{}, registrytest.BaseFiles(), map[string]string{"big": strings.Repeat("x", 1<<20)})
	if err != nil {
		t.Fatal(err)
	}
	m, _ := img.Manifest()
	lost := m.Layers[1].Digest.String()
	// A registry that lost one blob: the only way to fail mid-pull on
	// purpose, so this wraps the real registry handler.
	h := registry.New(registry.Logger(log.New(io.Discard, "", 0)))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/blobs/"+lost) {
			http.Error(w, `{"errors":[{"code":"BLOB_UNKNOWN","message":"blob unknown"}]}`, http.StatusNotFound)
			return
		}
		h.ServeHTTP(w, r)
	}))
	defer srv.Close()
	host := strings.TrimPrefix(srv.URL, "http://")
	ref := host + "/lossy:1"
	r, err := name.ParseReference(ref, name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(r, img); err != nil {
		t.Fatal(err)
	}

	s, dir := openStore(t)
	_, err = s.Pull(t.Context(), ref, content.PullOptions{}, nil)
	if err == nil {
		t.Fatal("Pull with a missing blob succeeded")
	}
	if !strings.Contains(err.Error(), host) {
		t.Errorf("error %q does not name the registry", err)
	}
	assertEmpty(t, s, dir)
}

func assertEmpty(t *testing.T, s *content.Store, dir string) {
	t.Helper()
	imgs, err := s.Images()
	if err != nil {
		t.Fatal(err)
	}
	if len(imgs) != 0 {
		t.Errorf("store holds %d images after a failed pull", len(imgs))
	}
	if n := blobCount(t, dir); n != 0 {
		t.Errorf("store holds %d blobs after a failed pull", n)
	}
	tmp, _ := os.ReadDir(filepath.Join(dir, "tmp"))
	if len(tmp) != 0 {
		t.Errorf("staging left %d entries behind", len(tmp))
	}
	if _, err := s.Image("sha256:" + strings.Repeat("0", 64)); !errors.Is(err, content.ErrNotFound) {
		t.Errorf("Image of unknown ID: %v", err)
	}
}
