package ecr

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/sockerless/sockerless/simulators/aws/internal/awsjson"
	"github.com/sockerless/sockerless/simulators/kit/ociregistry"
)

// initRegistry opens the registry over the persisted manifests; blobs go
// to blobDir when set.
func (s *Service) initRegistry(blobDir string) error {
	reg, err := ociregistry.Open(s.St.kv, bucketManifests, blobDir)
	if err != nil {
		return fmt.Errorf("ecr: %w", err)
	}
	s.registry = reg
	return nil
}

// Registry returns the OCI distribution API handler, to be mounted at
// /v2/. Requests authenticate with HTTP basic auth, user "AWS" and the
// password from GetAuthorizationToken, as with ECR. A push is refused
// unless a repository of its name exists; an immutable one refuses to
// move a tag.
func (s *Service) Registry() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if msg, ok := s.authorized(r); !ok {
			w.Header().Set("Www-Authenticate", `Basic realm="`+s.endpoint()+`/",service="ecr.amazonaws.com"`)
			ociregistry.WriteError(w, http.StatusUnauthorized, "DENIED", msg)
			return
		}
		name := ociregistry.RepoOf(r.URL.Path)
		if name == "" {
			s.registry.ServeHTTP(w, r)
			return
		}
		s.Mu.Lock()
		repos := s.St.named(name)
		s.Mu.Unlock()
		if len(repos) == 0 {
			ociregistry.WriteError(w, http.StatusNotFound, "NAME_UNKNOWN", fmt.Sprintf("The repository with name '%s' does not exist in the registry with id '%s'", name, s.AccountID))
			return
		}
		var refuseMove func(string) string
		for _, repo := range repos {
			if repo.Mutability == "IMMUTABLE" {
				refuseMove = func(tag string) string {
					return fmt.Sprintf("The image tag '%s' already exists in the '%s' repository and cannot be overwritten because the repository is immutable.", tag, name)
				}
			}
		}
		s.registry.Serve(w, r, refuseMove)
	})
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
	for _, m := range s.registry.Images(in.RepositoryName) {
		digest := m.Digest()
		if m.Ref != digest {
			tagged[digest] = true
			if status != "UNTAGGED" {
				ids = append(ids, imageID{digest, m.Ref})
			}
		}
	}
	for _, m := range s.registry.Images(in.RepositoryName) {
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
