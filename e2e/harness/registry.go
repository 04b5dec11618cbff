package harness

import (
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"runtime"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

// RegistryRepo and RegistryTag name the image every Registry holds.
const (
	RegistryRepo = "e2e/busybox"
	RegistryTag  = "1"
)

// RegistryConfig is the distinctive config of the registry image, so
// `docker image inspect` can prove an engine kept what the registry served.
var RegistryConfig = v1.Config{
	Entrypoint: []string{"echo", "entrypoint"},
	Cmd:        []string{"from-cmd"},
	Env:        []string{"PATH=" + ImagePath, "E2E_IMAGE=registry"},
	WorkingDir: "/srv/e2e",
	User:       "e2e",
	Labels:     map[string]string{"org.sockerless.e2e": "registry"},
}

// Registry is an in-process OCI registry on loopback.
type Registry struct {
	Addr string // 127.0.0.1:PORT
	srv  *http.Server
}

// Image is the reference of the image the registry holds.
func (r *Registry) Image() string { return r.Addr + "/" + RegistryRepo + ":" + RegistryTag }

// Close stops the registry.
func (r *Registry) Close() error { return r.srv.Close() }

// StartRegistry serves go-containerregistry's registry on 127.0.0.1:0 and
// pushes one image built from the test rootfs with RegistryConfig.
// Engines treat loopback registries as insecure, so plain HTTP is pulled.
func StartRegistry() (*Registry, error) {
	fs, err := BuildRootfs()
	if err != nil {
		return nil, err
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	srv := &http.Server{Handler: registry.New(registry.Logger(log.New(io.Discard, "", 0)))}
	go srv.Serve(l)
	r := &Registry{Addr: l.Addr().String(), srv: srv}
	if err := r.push(fs); err != nil {
		r.Close()
		return nil, err
	}
	return r, nil
}

func (r *Registry) push(fs Rootfs) error {
	return PushTestImage(fs, r.Image())
}

// RootfsImage is the rootfs tar at tarPath as a one-layer image for this
// machine's architecture, configured with cfg.
func RootfsImage(tarPath string, cfg v1.Config) (v1.Image, error) {
	layer, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) { return os.Open(tarPath) })
	if err != nil {
		return nil, err
	}
	img, err := mutate.AppendLayers(empty.Image, layer)
	if err != nil {
		return nil, err
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, err
	}
	cf = cf.DeepCopy()
	cf.Architecture, cf.OS = runtime.GOARCH, "linux"
	cf.Config = cfg
	return mutate.ConfigFile(img, cf)
}

// PushTestImage pushes the test rootfs, configured with RegistryConfig,
// to ref (plain HTTP on loopback), with opts (credentials, say).
func PushTestImage(fs Rootfs, ref string, opts ...remote.Option) error {
	img, err := RootfsImage(fs.Tar, RegistryConfig)
	if err != nil {
		return err
	}
	r, err := name.ParseReference(ref, name.Insecure)
	if err != nil {
		return err
	}
	if err := remote.Write(r, img, opts...); err != nil {
		return fmt.Errorf("pushing %s: %w", r, err)
	}
	if _, err := remote.Head(r, opts...); err != nil {
		return errors.New("registry does not serve the pushed image: " + err.Error())
	}
	return nil
}
