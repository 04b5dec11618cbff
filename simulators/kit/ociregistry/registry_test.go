package ociregistry

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"

	"github.com/sockerless/sockerless/simulators/kit/kv"
)

// open opens the registry over a state file and a blob directory in dir.
func open(t *testing.T, dir string) (*Registry, func()) {
	t.Helper()
	db, err := kv.OpenFile(dir, "sim.db")
	if err != nil {
		t.Fatal(err)
	}
	store, err := kv.Open(db, "svc", "manifests")
	if err != nil {
		t.Fatal(err)
	}
	reg, err := Open(store, "manifests", filepath.Join(dir, "blobs"))
	if err != nil {
		t.Fatal(err)
	}
	return reg, func() { db.Close() }
}

func TestRegistry(t *testing.T) {
	dir := t.TempDir()
	reg, closeDB := open(t, dir)
	immutable := false
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var refuse func(string) string
		if immutable {
			refuse = func(tag string) string { return "tag " + tag + " is immutable" }
		}
		reg.Serve(w, r, refuse)
	}))
	defer srv.Close()
	host := strings.TrimPrefix(srv.URL, "http://")
	ref, _ := name.ParseReference(host+"/team/app:v1", name.Insecure)
	first, _ := random.Image(64, 1)
	second, _ := random.Image(64, 1)

	t.Run("a pushed image is recorded by tag", func(t *testing.T) {
		if err := remote.Write(ref, first); err != nil {
			t.Fatal(err)
		}
		d, _ := first.Digest()
		if m := reg.Manifest("team/app", "v1"); m == nil || m.Digest() != d.String() {
			t.Fatalf("recorded %+v, want digest %s", m, d)
		}
	})
	t.Run("an immutable repository refuses to move a tag", func(t *testing.T) {
		immutable = true
		defer func() { immutable = false }()
		err := remote.Write(ref, second)
		var terr *transport.Error
		if !errors.As(err, &terr) || terr.StatusCode != 400 || !strings.Contains(err.Error(), "tag v1 is immutable") {
			t.Fatalf("moving an immutable tag: %v", err)
		}
	})
	t.Run("a moved tag leaves the old image reachable by digest", func(t *testing.T) {
		if err := remote.Write(ref, second); err != nil {
			t.Fatal(err)
		}
		d, _ := first.Digest()
		if reg.Manifest("team/app", d.String()) == nil || len(reg.Images("team/app")) != 2 {
			t.Fatalf("images after the move: %d", len(reg.Images("team/app")))
		}
	})
	t.Run("images survive reopening the state file", func(t *testing.T) {
		srv.Close()
		closeDB()
		reopened, closeAgain := open(t, dir)
		defer closeAgain()
		srv2 := httptest.NewServer(reopened)
		defer srv2.Close()
		ref2, _ := name.ParseReference(strings.TrimPrefix(srv2.URL, "http://")+"/team/app:v1", name.Insecure)
		img, err := remote.Image(ref2)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := img.Digest()
		want, _ := second.Digest()
		if got != want {
			t.Fatalf("pulled %s, want %s", got, want)
		}
		if err := reopened.Purge("team/app"); err != nil || len(reopened.Images("team/app")) != 0 {
			t.Fatalf("purge: %v, %d left", err, len(reopened.Images("team/app")))
		}
		if _, err := remote.Image(ref2); err == nil {
			t.Fatal("a purged image is still pulled")
		}
	})
}
