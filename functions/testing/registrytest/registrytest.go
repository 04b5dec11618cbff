// Package registrytest runs a real OCI registry (go-containerregistry's
// pkg/registry) on loopback for tests, and builds small images to push
// to it.
package registrytest

import (
	"fmt"
	"io"
	"log"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// Registry is a registry served over plain HTTP on 127.0.0.1.
type Registry struct {
	srv *httptest.Server
}

// NewServer starts a registry without a testing.TB, for a TestMain or
// a harness; Close stops it.
func NewServer() *Registry {
	h := registry.New(registry.Logger(log.New(io.Discard, "", 0)))
	return &Registry{srv: httptest.NewServer(h)}
}

// Start starts a registry that stops when the test ends.
func Start(t testing.TB) *Registry {
	t.Helper()
	r := NewServer()
	t.Cleanup(r.Close)
	return r
}

// Close stops the registry.
func (r *Registry) Close() { r.srv.Close() }

// Host is "127.0.0.1:PORT", the registry part of an image reference.
func (r *Registry) Host() string {
	return strings.TrimPrefix(r.srv.URL, "http://")
}

// Ref is the full reference of repoTag ("busybox:1") on this registry.
func (r *Registry) Ref(repoTag string) string { return r.Host() + "/" + repoTag }

// PushImage pushes img as repoTag ("name:tag" or "name") and returns
// the full reference.
func (r *Registry) PushImage(repoTag string, img v1.Image) (string, error) {
	ref, err := name.ParseReference(r.Ref(repoTag), name.Insecure)
	if err != nil {
		return "", fmt.Errorf("registrytest: %w", err)
	}
	if err := remote.Write(ref, img); err != nil {
		return "", fmt.Errorf("registrytest: push %s: %w", ref, err)
	}
	return ref.String(), nil
}

// Push pushes img as repoTag and returns the full reference.
func (r *Registry) Push(t testing.TB, repoTag string, img v1.Image) string {
	t.Helper()
	ref, err := r.PushImage(repoTag, img)
	if err != nil {
		t.Fatal(err)
	}
	return ref
}
