package server

import (
	"context"
	"fmt"
	"net"
	"path/filepath"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/sockerless/sockerless/simulators/gcp/run"
	"github.com/sockerless/sockerless/simulators/kit/service"
)

// openRun builds Cloud Run: images come from a loopback registry, output
// goes to Cloud Logging, unpacked images and task layers live under
// DataDir/run (a temporary directory without DataDir).
func (s *Server) openRun(b service.Base) error {
	o := run.Options{Base: b, Pull: pullLoopback, Logs: s.logging}
	if s.cfg.DataDir != "" {
		o.Dir = filepath.Join(s.cfg.DataDir, "run")
	}
	r, err := run.New(o)
	if err != nil {
		return err
	}
	s.run = r
	r.Register(s.grpc)
	return nil
}

// pullLoopback fetches an image from a registry on this machine's
// loopback interface, anonymously: until Artifact Registry is simulated,
// the images a job runs are pushed to a registry the caller started.
func pullLoopback(ctx context.Context, image string) (v1.Image, error) {
	ref, err := name.ParseReference(image, name.Insecure)
	if err != nil {
		return nil, err
	}
	host := ref.Context().RegistryStr()
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return nil, fmt.Errorf("gcpsim pulls images only from a registry on loopback (127.0.0.1:PORT/...), not from %s", ref.Context().RegistryStr())
	}
	return remote.Image(ref, remote.WithContext(ctx))
}
