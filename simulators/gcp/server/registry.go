package server

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"path/filepath"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/sockerless/sockerless/simulators/gcp/artifactregistry"
	"github.com/sockerless/sockerless/simulators/kit/service"
)

// openArtifactRegistry builds Artifact Registry, its blobs under
// DataDir/artifactregistry, its Docker registry guarded by the tokens the
// simulator issues.
func (s *Server) openArtifactRegistry(b service.Base) error {
	o := artifactregistry.Options{Base: b, CheckToken: s.tokens.CheckAccessToken}
	if s.cfg.DataDir != "" {
		o.BlobDir = filepath.Join(s.cfg.DataDir, "artifactregistry", "blobs")
	}
	ar, err := artifactregistry.New(o)
	if err != nil {
		return err
	}
	s.ar = ar
	ar.Register(s.grpc)
	return nil
}

// pull fetches the image a Cloud Run job or service runs: from the
// simulated Artifact Registry when it is named LOCATION-docker.pkg.dev/...
// or by the simulator's own host:port, where clients that cannot resolve
// Google's names push to it (dialling this simulator, with a token it
// issued), else anonymously from a registry on this machine's loopback
// interface.
func (s *Server) pull(ctx context.Context, image string) (v1.Image, error) {
	ref, err := name.ParseReference(image, name.Insecure)
	if err != nil {
		return nil, err
	}
	host := ref.Context().RegistryStr()
	if artifactregistry.IsDockerHost(host) || host == s.Addr() {
		self := s.Addr()
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.DialContext = func(ctx context.Context, network, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, network, self)
		}
		auth := &authn.Basic{Username: "oauth2accesstoken", Password: s.tokens.AccessToken()}
		return remote.Image(ref, remote.WithContext(ctx), remote.WithTransport(tr), remote.WithAuth(auth))
	}
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return nil, fmt.Errorf("gcpsim pulls images from the simulated Artifact Registry (LOCATION-docker.pkg.dev/PROJECT/REPO/IMAGE) or a registry on loopback (127.0.0.1:PORT/...), not from %s", ref.Context().RegistryStr())
	}
	return remote.Image(ref, remote.WithContext(ctx))
}
