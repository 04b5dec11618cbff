package ecr

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/registry"

	"github.com/sockerless/sockerless/simulators/aws/internal/awsjson"
)

// maxManifest bounds a manifest upload, as ECR's 4 MiB limit does.
const maxManifest = 4 << 20

// initRegistry builds the OCI registry and replays persisted manifests
// into it (go-containerregistry keeps manifests in memory only; blobs go
// to BlobDir when set).
func (s *Service) initRegistry(blobDir string) error {
	opts := []registry.Option{registry.Logger(log.New(io.Discard, "", 0))}
	if blobDir != "" {
		if err := os.MkdirAll(blobDir, 0o700); err != nil {
			return fmt.Errorf("ecr: blob directory: %w", err)
		}
		opts = append(opts, registry.WithBlobHandler(registry.NewDiskBlobHandler(blobDir)))
	}
	s.registry = registry.New(opts...)
	for _, m := range s.St.all() {
		req := httptest.NewRequest(http.MethodPut, "/v2/"+m.Repo+"/manifests/"+m.Ref, bytes.NewReader(m.Body))
		req.Header.Set("Content-Type", m.ContentType)
		rec := httptest.NewRecorder()
		s.registry.ServeHTTP(rec, req)
		if rec.Code != http.StatusCreated {
			return fmt.Errorf("ecr: restore manifest %s:%s: %d %s", m.Repo, m.Ref, rec.Code, rec.Body)
		}
	}
	return nil
}

// purgeImages deletes every manifest of a repository (DeleteRepository
// with force). The caller holds s.Mu.
func (s *Service) purgeImages(name string) error {
	for _, m := range s.St.images(name) {
		rec := httptest.NewRecorder()
		s.registry.ServeHTTP(rec, httptest.NewRequest(http.MethodDelete, "/v2/"+name+"/manifests/"+m.Ref, nil))
		if err := s.St.dropManifest(name, m.Ref); err != nil {
			return err
		}
	}
	return nil
}

// repoPathRE finds the repository in a distribution API path.
var repoPathRE = regexp.MustCompile(`^/v2/(.+?)/(blobs|manifests|tags|referrers)/`)

type regErr struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

func writeRegError(w http.ResponseWriter, status int, code, msg string) {
	b, _ := json.Marshal(map[string][]regErr{"errors": {{code, msg}}})
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(b)
}

// Registry returns the OCI distribution API handler, to be mounted at
// /v2/. Requests authenticate with HTTP basic auth, user "AWS" and the
// password from GetAuthorizationToken, as with ECR.
func (s *Service) Registry() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if msg, ok := s.authorized(r); !ok {
			w.Header().Set("Www-Authenticate", `Basic realm="`+s.endpoint()+`/",service="ecr.amazonaws.com"`)
			writeRegError(w, http.StatusUnauthorized, "DENIED", msg)
			return
		}
		m := repoPathRE.FindStringSubmatch(r.URL.Path)
		if m == nil {
			s.registry.ServeHTTP(w, r)
			return
		}
		name := m[1]
		s.Mu.Lock()
		repos := s.St.named(name)
		s.Mu.Unlock()
		if len(repos) == 0 {
			writeRegError(w, http.StatusNotFound, "NAME_UNKNOWN", fmt.Sprintf("The repository with name '%s' does not exist in the registry with id '%s'", name, s.AccountID))
			return
		}
		if m[2] != "manifests" || (r.Method != http.MethodPut && r.Method != http.MethodDelete) {
			s.registry.ServeHTTP(w, r)
			return
		}
		immutable := false
		for _, r := range repos {
			immutable = immutable || r.Mutability == "IMMUTABLE"
		}
		s.serveManifestWrite(w, r, name, r.URL.Path[len(m[0]):], immutable)
	})
}

func digestOf(b []byte) string {
	sum := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// serveManifestWrite forwards a manifest PUT or DELETE and records it when
// the registry accepted it, so images survive a restart. A tag moved to
// another manifest leaves the old one reachable by digest, as the registry
// does (and ECR, which lists it as untagged); an immutable repository
// refuses to move a tag at all.
func (s *Service) serveManifestWrite(w http.ResponseWriter, r *http.Request, name, ref string, immutable bool) {
	var body []byte
	if r.Method == http.MethodPut {
		var err error
		body, err = io.ReadAll(io.LimitReader(r.Body, maxManifest+1))
		if err != nil || len(body) > maxManifest {
			writeRegError(w, http.StatusBadRequest, "MANIFEST_INVALID", "manifest unreadable or larger than 4 MiB")
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
	}
	s.Mu.Lock()
	old := s.St.manifests[name][ref]
	s.Mu.Unlock()
	moved := r.Method == http.MethodPut && old != nil && !strings.HasPrefix(ref, "sha256:") && !bytes.Equal(old.Body, body)
	if moved && immutable {
		writeRegError(w, http.StatusBadRequest, "TAG_INVALID", fmt.Sprintf("The image tag '%s' already exists in the '%s' repository and cannot be overwritten because the repository is immutable.", ref, name))
		return
	}
	rec := httptest.NewRecorder()
	s.registry.ServeHTTP(rec, r)
	s.Mu.Lock()
	var err error
	switch {
	case r.Method == http.MethodPut && rec.Code == http.StatusCreated:
		if moved && s.St.manifests[name][digestOf(old.Body)] == nil {
			err = s.St.putManifest(&manifest{Repo: name, Ref: digestOf(old.Body), ContentType: old.ContentType, Body: old.Body})
		}
		if err == nil {
			err = s.St.putManifest(&manifest{Repo: name, Ref: ref, ContentType: r.Header.Get("Content-Type"), Body: body})
		}
	case r.Method == http.MethodDelete && rec.Code == http.StatusAccepted:
		err = s.St.dropManifest(name, ref)
	}
	s.Mu.Unlock()
	if err != nil {
		writeRegError(w, http.StatusInternalServerError, "UNKNOWN", "awssim: record manifest: "+err.Error())
		return
	}
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.WriteHeader(rec.Code)
	w.Write(rec.Body.Bytes())
}

// A registry password is "<expiry unix seconds>.<hex HMAC of it>", so it
// can be checked without storing it and stays valid across restarts.
func (s *Service) password(expiry time.Time) string {
	e := strconv.FormatInt(expiry.Unix(), 10)
	mac := hmac.New(sha256.New, s.St.tokenKey)
	mac.Write([]byte(e))
	return e + "." + hex.EncodeToString(mac.Sum(nil))
}

func (s *Service) authorized(r *http.Request) (string, bool) {
	user, pass, ok := r.BasicAuth()
	if !ok {
		return "Not Authorized", false
	}
	e, _, _ := strings.Cut(pass, ".")
	secs, err := strconv.ParseInt(e, 10, 64)
	if user != "AWS" || err != nil || !hmac.Equal([]byte(pass), []byte(s.password(time.Unix(secs, 0)))) {
		return "Not Authorized", false
	}
	if s.Now().Unix() >= secs {
		return "Your authorization token has expired. Reauthenticate and try again.", false
	}
	return "", true
}

type authIn struct {
	RegistryIDs []string `json:"registryIds"`
}

type authData struct {
	AuthorizationToken string  `json:"authorizationToken"`
	ExpiresAt          float64 `json:"expiresAt"`
	ProxyEndpoint      string  `json:"proxyEndpoint"`
}

type authOut struct {
	AuthorizationData []authData `json:"authorizationData"`
}

func (s *Service) getAuthorizationToken(_ string, _ *authIn) (authOut, *awsjson.Error) {
	expiry := s.Now().Add(TokenLifetime).Truncate(time.Second)
	token := base64.StdEncoding.EncodeToString([]byte("AWS:" + s.password(expiry)))
	return authOut{[]authData{{AuthorizationToken: token, ExpiresAt: float64(expiry.Unix()), ProxyEndpoint: s.endpoint()}}}, nil
}

type listImagesIn struct {
	RepositoryName string `json:"repositoryName"`
	MaxResults     *int   `json:"maxResults"`
	NextToken      string `json:"nextToken"`
	Filter         *struct {
		TagStatus string `json:"tagStatus"`
	} `json:"filter"`
}

type imageID struct {
	ImageDigest string `json:"imageDigest"`
	ImageTag    string `json:"imageTag,omitempty"`
}

type listImagesOut struct {
	ImageIDs  []imageID `json:"imageIds"`
	NextToken string    `json:"nextToken,omitempty"`
}

// listImages lists one entry per tag and one per untagged digest, in push order.
func (s *Service) listImages(region string, in *listImagesIn) (listImagesOut, *awsjson.Error) {
	if aerr := checkName(in.RepositoryName); aerr != nil {
		return listImagesOut{}, aerr
	}
	if s.St.repos[repoKey(region, in.RepositoryName)] == nil {
		return listImagesOut{}, s.repoNotFound(in.RepositoryName)
	}
	status := "ANY"
	if in.Filter != nil && in.Filter.TagStatus != "" {
		status = in.Filter.TagStatus
	}
	tagged := map[string]bool{}
	var ids []imageID
	for _, m := range s.St.images(in.RepositoryName) {
		digest := digestOf(m.Body)
		if m.Ref != digest {
			tagged[digest] = true
			if status != "UNTAGGED" {
				ids = append(ids, imageID{digest, m.Ref})
			}
		}
	}
	for _, m := range s.St.images(in.RepositoryName) {
		if strings.HasPrefix(m.Ref, "sha256:") && !tagged[m.Ref] && status != "TAGGED" {
			ids = append(ids, imageID{ImageDigest: m.Ref})
		}
	}
	limit := 100
	if in.MaxResults != nil {
		if *in.MaxResults < 1 || *in.MaxResults > 1000 {
			return listImagesOut{}, invalid("1 validation error detected: Value '%d' at 'maxResults' failed to satisfy constraint: Member must have value between 1 and 1000", *in.MaxResults)
		}
		limit = *in.MaxResults
	}
	start := 0
	if in.NextToken != "" {
		n, err := strconv.Atoi(in.NextToken)
		if err != nil || n < 0 || n > len(ids) {
			return listImagesOut{}, invalid("Invalid parameter at 'nextToken' failed to satisfy constraint: 'must be a token returned by ListImages'")
		}
		start = n
	}
	end := min(start+limit, len(ids))
	out := listImagesOut{ImageIDs: append([]imageID{}, ids[start:end]...)}
	if end < len(ids) {
		out.NextToken = strconv.Itoa(end)
	}
	return out, nil
}
