// Package imageref parses image references and registry credentials the
// way dockerd does, for every backend that talks to registries.
package imageref

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net"
	"strings"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/moby/moby/api/types/registry"
)

// Parse parses an image reference as dockerd does: docker.io and
// "latest" by default, plain HTTP for registries on loopback.
func Parse(ref string) (name.Reference, error) {
	r, err := name.ParseReference(ref)
	if err != nil {
		return nil, fmt.Errorf("invalid reference format %q: %w", ref, err)
	}
	if IsLoopback(r.Context().RegistryStr()) {
		return name.ParseReference(ref, name.Insecure)
	}
	return r, nil
}

// IsLoopback reports a registry host on the loopback interface.
func IsLoopback(registry string) bool {
	host := registry
	if h, _, err := net.SplitHostPort(registry); err == nil {
		host = h
	}
	host = strings.Trim(host, "[]")
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// FamiliarName is how docker prints a repository: "alpine" rather than
// "index.docker.io/library/alpine".
func FamiliarName(repo name.Repository) string {
	if repo.RegistryStr() != name.DefaultRegistry {
		return repo.Name()
	}
	return strings.TrimPrefix(repo.RepositoryStr(), "library/")
}

// FamiliarString is the familiar name with the tag or digest.
func FamiliarString(ref name.Reference) string {
	sep := ":"
	if _, ok := ref.(name.Digest); ok {
		sep = "@"
	}
	return FamiliarName(ref.Context()) + sep + ref.Identifier()
}

// Auth decodes X-Registry-Auth (base64url JSON) into an authenticator;
// nil when the header is empty, anonymous or unreadable.
func Auth(header string) authn.Authenticator {
	if header == "" {
		return nil
	}
	raw, err := base64.URLEncoding.DecodeString(header)
	if err != nil {
		if raw, err = base64.RawURLEncoding.DecodeString(strings.TrimRight(header, "=")); err != nil {
			return nil
		}
	}
	var cfg registry.AuthConfig
	if json.Unmarshal(raw, &cfg) != nil || (cfg.Username == "" && cfg.IdentityToken == "" && cfg.RegistryToken == "") {
		return nil
	}
	return authn.FromConfig(authn.AuthConfig{
		Username: cfg.Username, Password: cfg.Password, Auth: cfg.Auth,
		IdentityToken: cfg.IdentityToken, RegistryToken: cfg.RegistryToken,
	})
}
