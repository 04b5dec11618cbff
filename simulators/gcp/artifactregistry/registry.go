package artifactregistry

import (
	"fmt"
	"net/http"
	"regexp"
	"strings"

	arpb "cloud.google.com/go/artifactregistry/apiv1/artifactregistrypb"

	"github.com/sockerless/sockerless/simulators/kit/ociregistry"
)

// dockerHostRE is a Docker registry host of Artifact Registry; its first
// group is the location.
var dockerHostRE = regexp.MustCompile(`^([a-z0-9-]+)-docker\.pkg\.dev(:[0-9]+)?$`)

// IsDockerHost reports whether host (host[:port]) is one of Artifact
// Registry's Docker registry hosts, LOCATION-docker.pkg.dev.
func IsDockerHost(host string) bool { return dockerHostRE.MatchString(host) }

// IsRegistryRequest reports whether r is for the Docker registry: sent to
// LOCATION-docker.pkg.dev, or one of the distribution API's paths (/v2/,
// /v2/_catalog, /v2/NAME/{manifests,blobs,tags}/...) on the simulator's
// own host, which the REST APIs' /v2/projects/... and /v2/entries:... are
// not.
func IsRegistryRequest(r *http.Request) bool {
	p := r.URL.Path
	if !ociregistry.IsPath(p) {
		return false
	}
	if IsDockerHost(r.Host) || p == "/v2" || p == "/v2/" || p == "/v2/_catalog" {
		return true
	}
	return ociregistry.RepoOf(p) != "" && !strings.HasPrefix(p, "/v2/projects/")
}

// Registry is the Docker registry API v2, for images named
// PROJECT/REPO/IMAGE in a repository that exists.
func (s *Service) Registry() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := s.authorize(r); err != nil {
			w.Header().Set("Www-Authenticate", `Basic realm="Artifact Registry"`)
			ociregistry.WriteError(w, http.StatusUnauthorized, "UNAUTHORIZED", err.Error())
			return
		}
		name := ociregistry.RepoOf(r.URL.Path)
		if name == "" {
			s.registry.ServeHTTP(w, r)
			return
		}
		parts := strings.SplitN(name, "/", 3)
		if len(parts) < 3 {
			ociregistry.WriteError(w, http.StatusNotFound, "NAME_UNKNOWN", fmt.Sprintf("Invalid image name %q: images are named LOCATION-docker.pkg.dev/PROJECT/REPOSITORY/IMAGE", name))
			return
		}
		location := ""
		if m := dockerHostRE.FindStringSubmatch(r.Host); m != nil {
			location = m[1]
		}
		repo := s.repoOf(parts[0], location, parts[1])
		if repo == nil {
			ociregistry.WriteError(w, http.StatusNotFound, "NAME_UNKNOWN", fmt.Sprintf("Repository %q not found in project %q: create it first (gcloud artifacts repositories create %s --repository-format=docker)", parts[1], parts[0], parts[1]))
			return
		}
		var refuseMove func(string) string
		if repo.GetDockerConfig().GetImmutableTags() {
			refuseMove = func(tag string) string {
				return fmt.Sprintf("The tag %q already exists and the repository %s has immutable tags: it cannot be moved to another image.", tag, repo.Name)
			}
		}
		s.registry.Serve(w, r, refuseMove)
	})
}

// repoOf finds the repository an image path names: in location when the
// host names one, else the project's of that ID in any location.
func (s *Service) repoOf(project, location, id string) *arpb.Repository {
	s.mu.Lock()
	defer s.mu.Unlock()
	if location != "" {
		return s.repos["projects/"+project+"/locations/"+location+"/repositories/"+id]
	}
	if all := s.byID(project, id); len(all) > 0 {
		return all[0]
	}
	return nil
}

// authorize accepts what `gcloud auth configure-docker` makes a Docker
// client send: basic auth as oauth2accesstoken with an access token, or
// the token itself as a Bearer token.
func (s *Service) authorize(r *http.Request) error {
	if user, pass, ok := r.BasicAuth(); ok {
		if user != "oauth2accesstoken" {
			return fmt.Errorf("user %q is not accepted: log in as oauth2accesstoken with an access token (gcloud auth print-access-token)", user)
		}
		return s.checkToken(pass)
	}
	if tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
		return s.checkToken(tok)
	}
	return fmt.Errorf("authentication required: log in as oauth2accesstoken with an access token (gcloud auth print-access-token)")
}
