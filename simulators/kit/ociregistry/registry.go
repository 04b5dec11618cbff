// Package ociregistry is the OCI distribution API (Docker registry v2) a
// simulated container registry serves, ECR's and Artifact Registry's
// alike: go-containerregistry's registry, with every manifest it accepts
// recorded in the service's state file and replayed into it at start (it
// keeps manifests in memory only; blobs go to a directory when one is
// given), so images survive a restart. The cloud's own part, which
// repositories exist, who may push, what a tag move is refused with,
// stays with the service.
package ociregistry

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"sort"
	"strings"
	"sync"

	"github.com/google/go-containerregistry/pkg/registry"

	"github.com/sockerless/sockerless/simulators/kit/kv"
)

// MaxManifest bounds a manifest upload (ECR's and Docker Hub's 4 MiB).
const MaxManifest = 4 << 20

// Manifest is one manifest PUT the registry accepted: Ref is the tag or
// digest it was pushed by; Seq orders replay (an index after its
// children).
type Manifest struct {
	Repo        string `json:"repo"`
	Ref         string `json:"ref"`
	ContentType string `json:"contentType"`
	Body        []byte `json:"body"`
	Seq         uint64 `json:"seq"`
}

// Digest is the manifest's content digest.
func (m *Manifest) Digest() string { return Digest(m.Body) }

// Digest is the sha256 digest of b, as the registry names content.
func Digest(b []byte) string {
	sum := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(sum[:])
}

func manifestKey(repo, ref string) string { return repo + "\x00" + ref }

// Registry is one simulated registry. Its methods are safe for
// concurrent use; it has its own lock, taken after any of the service's.
type Registry struct {
	mu        sync.Mutex
	kv        *kv.Store
	bucket    string
	manifests map[string]map[string]*Manifest // repository → ref → manifest
	seq       uint64
	h         http.Handler
}

// Open builds the registry, keeping manifests in the sub-bucket of store
// (which the caller opened with it) and blobs under blobDir (empty:
// memory), and replays the persisted manifests into it.
func Open(store *kv.Store, bucket, blobDir string) (*Registry, error) {
	opts := []registry.Option{registry.Logger(log.New(io.Discard, "", 0))}
	if blobDir != "" {
		if err := os.MkdirAll(blobDir, 0o700); err != nil {
			return nil, fmt.Errorf("registry: blob directory: %w", err)
		}
		opts = append(opts, registry.WithBlobHandler(registry.NewDiskBlobHandler(blobDir)))
	}
	r := &Registry{kv: store, bucket: bucket, manifests: map[string]map[string]*Manifest{}, h: registry.New(opts...)}
	if err := kv.Load(store, bucket, func(_ string, m *Manifest) error {
		r.index(m)
		r.seq = max(r.seq, m.Seq)
		return nil
	}); err != nil {
		return nil, fmt.Errorf("registry: load manifests: %w", err)
	}
	for _, m := range r.all() {
		req := httptest.NewRequest(http.MethodPut, "/v2/"+m.Repo+"/manifests/"+m.Ref, bytes.NewReader(m.Body))
		req.Header.Set("Content-Type", m.ContentType)
		rec := httptest.NewRecorder()
		r.h.ServeHTTP(rec, req)
		if rec.Code != http.StatusCreated {
			return nil, fmt.Errorf("registry: restore manifest %s:%s: %d %s", m.Repo, m.Ref, rec.Code, rec.Body)
		}
	}
	return r, nil
}

func (r *Registry) index(m *Manifest) {
	if r.manifests[m.Repo] == nil {
		r.manifests[m.Repo] = map[string]*Manifest{}
	}
	r.manifests[m.Repo][m.Ref] = m
}

// Images returns a repository's manifests in push order.
func (r *Registry) Images(repo string) []*Manifest {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.images(repo)
}

func (r *Registry) images(repo string) []*Manifest {
	var out []*Manifest
	for _, m := range r.manifests[repo] {
		out = append(out, m)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Seq < out[j].Seq })
	return out
}

// all returns every manifest in push order, for replay.
func (r *Registry) all() []*Manifest {
	var out []*Manifest
	for name := range r.manifests {
		out = append(out, r.images(name)...)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Seq < out[j].Seq })
	return out
}

// Repositories returns the names of the repositories holding images
// whose names start with prefix, sorted.
func (r *Registry) Repositories(prefix string) []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for name := range r.manifests {
		if strings.HasPrefix(name, prefix) {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out
}

// Manifest returns what ref (a tag or digest) of repo was pushed as, or nil.
func (r *Registry) Manifest(repo, ref string) *Manifest {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.manifests[repo][ref]
}

func (r *Registry) put(m *Manifest) error {
	r.seq++
	m.Seq = r.seq
	if err := r.kv.Put(r.bucket, manifestKey(m.Repo, m.Ref), m); err != nil {
		return err
	}
	r.index(m)
	return nil
}

func (r *Registry) drop(repo, ref string) error {
	if err := r.kv.Delete(r.bucket, manifestKey(repo, ref)); err != nil {
		return err
	}
	delete(r.manifests[repo], ref)
	if len(r.manifests[repo]) == 0 {
		delete(r.manifests, repo)
	}
	return nil
}

// DeleteRef deletes one tag or digest reference of repo.
func (r *Registry) DeleteRef(repo, ref string) error {
	rec := httptest.NewRecorder()
	r.h.ServeHTTP(rec, httptest.NewRequest(http.MethodDelete, "/v2/"+repo+"/manifests/"+ref, nil))
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.manifests[repo][ref] == nil {
		return nil
	}
	return r.drop(repo, ref)
}

// Purge deletes every manifest of a repository (its repository was deleted).
func (r *Registry) Purge(repo string) error {
	for _, m := range r.Images(repo) {
		if err := r.DeleteRef(repo, m.Ref); err != nil {
			return err
		}
	}
	return nil
}

// repoPathRE finds the repository in a distribution API path.
var repoPathRE = regexp.MustCompile(`^/v2/(.+?)/(blobs|manifests|tags|referrers)/`)

// RepoOf returns the repository a distribution API path names, or "" for
// the paths that name none (/v2/, /v2/_catalog).
func RepoOf(path string) string {
	if m := repoPathRE.FindStringSubmatch(path); m != nil {
		return m[1]
	}
	return ""
}

// IsPath reports whether a URL path is the distribution API's.
func IsPath(path string) bool { return path == "/v2" || strings.HasPrefix(path, "/v2/") }

// WriteError answers with the distribution API's error body.
func WriteError(w http.ResponseWriter, status int, code, msg string) {
	type regErr struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	}
	b, _ := json.Marshal(map[string][]regErr{"errors": {{code, msg}}})
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(b)
}

// ServeHTTP serves a request that names no repository, or one whose
// repository the caller found to exist, with mutable tags.
func (r *Registry) ServeHTTP(w http.ResponseWriter, req *http.Request) { r.Serve(w, req, nil) }

// Serve serves a request to a repository the caller found to exist.
// refuseMove, when not nil, is the message a push that moves an existing
// tag to another manifest is refused with (an immutable repository).
// A manifest PUT or DELETE the registry accepts is recorded, so it
// survives a restart; a tag moved to another manifest leaves the old one
// reachable by digest, as registries do.
func (r *Registry) Serve(w http.ResponseWriter, req *http.Request, refuseMove func(tag string) string) {
	m := repoPathRE.FindStringSubmatch(req.URL.Path)
	if m == nil || m[2] != "manifests" || (req.Method != http.MethodPut && req.Method != http.MethodDelete) {
		r.h.ServeHTTP(w, req)
		return
	}
	name, ref := m[1], req.URL.Path[len(m[0]):]
	var body []byte
	if req.Method == http.MethodPut {
		var err error
		body, err = io.ReadAll(io.LimitReader(req.Body, MaxManifest+1))
		if err != nil || len(body) > MaxManifest {
			WriteError(w, http.StatusBadRequest, "MANIFEST_INVALID", "manifest unreadable or larger than 4 MiB")
			return
		}
		req.Body = io.NopCloser(bytes.NewReader(body))
	}
	old := r.Manifest(name, ref)
	moved := req.Method == http.MethodPut && old != nil && !strings.HasPrefix(ref, "sha256:") && !bytes.Equal(old.Body, body)
	if moved && refuseMove != nil {
		WriteError(w, http.StatusBadRequest, "TAG_INVALID", refuseMove(ref))
		return
	}
	rec := httptest.NewRecorder()
	r.h.ServeHTTP(rec, req)
	r.mu.Lock()
	var err error
	switch {
	case req.Method == http.MethodPut && rec.Code == http.StatusCreated:
		if moved && r.manifests[name][old.Digest()] == nil {
			err = r.put(&Manifest{Repo: name, Ref: old.Digest(), ContentType: old.ContentType, Body: old.Body})
		}
		if err == nil {
			err = r.put(&Manifest{Repo: name, Ref: ref, ContentType: req.Header.Get("Content-Type"), Body: body})
		}
	case req.Method == http.MethodDelete && rec.Code == http.StatusAccepted:
		err = r.drop(name, ref)
	}
	r.mu.Unlock()
	if err != nil {
		WriteError(w, http.StatusInternalServerError, "UNKNOWN", "record manifest: "+err.Error())
		return
	}
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.WriteHeader(rec.Code)
	w.Write(rec.Body.Bytes())
}
