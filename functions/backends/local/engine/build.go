package engine

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"strings"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/moby/moby/api/pkg/stdcopy"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/jsonstream"
	"github.com/moby/moby/client"
	"github.com/sockerless/sockerless/agent/proto"
	"github.com/sockerless/sockerless/functions/core"
)

// A build runs the way Docker's legacy builder does on its engine: each
// step's changes are made in an engine container created from the
// image so far, a RUN being that container's process, and the engine
// commits the container as the step's layer (an intermediate image).
// The image core asks for at the end is made from those layers with
// core's config (see load).

// scratchRef is an empty image, tagged in the engine only, for builds
// FROM scratch: a container needs an image.
const scratchRef = "sockerless-build/scratch:latest"

// buildLabel marks the engine's containers that serve builds.
const buildLabel = "sockerless.build"

// StartBuild makes a build's working filesystem over baseID ("" for
// scratch).
func (d *Driver) StartBuild(ctx context.Context, baseID string, net core.BuildNetwork) (core.BuildFS, error) {
	if baseID == "" {
		var err error
		if baseID, err = d.scratch(ctx); err != nil {
			return nil, err
		}
	}
	insp, err := d.engine.ImageInspect(ctx, baseID)
	if err != nil {
		return nil, fmt.Errorf("image %s in the engine: %w", baseID, err)
	}
	return &buildFS{d: d, ctx: ctx, net: net, top: insp.ID, layers: len(insp.RootFS.Layers)}, nil
}

// scratch returns the empty image, importing it once: an empty tar.
func (d *Driver) scratch(ctx context.Context) (string, error) {
	insp, err := d.engine.ImageInspect(ctx, scratchRef)
	if err == nil {
		return insp.ID, nil
	}
	if !cerrdefs.IsNotFound(err) {
		return "", err
	}
	rc, err := d.engine.ImageImport(ctx, client.ImageImportSource{Source: bytes.NewReader(make([]byte, 1024)), SourceName: "-"}, scratchRef, client.ImageImportOptions{})
	if err != nil {
		return "", fmt.Errorf("making an empty image for FROM scratch: %w", err)
	}
	err = readMessages(rc, func(jsonstream.Message) {})
	rc.Close()
	if err != nil {
		return "", fmt.Errorf("making an empty image for FROM scratch: %w", err)
	}
	insp, err = d.engine.ImageInspect(ctx, scratchRef)
	return insp.ID, err
}

// buildFS is one build's working filesystem in the engine.
type buildFS struct {
	d *Driver
	// ctx is the build's, for the methods core calls without one.
	ctx context.Context
	// net is the RUN steps' network.
	net core.BuildNetwork
	// top is the image the step's container starts from; layers counts
	// its layers.
	top    string
	layers int
	// ctr holds the step's changes ("" until the step makes one).
	ctr string
	// changed: files were written into ctr; ran: ctr is a RUN's, whose
	// process ran.
	changed, ran bool
	// images are the intermediate images, dropped at Close.
	images []string
}

// container returns the step's container, creating it. Never started,
// it needs no command that exists: the one given only satisfies create.
func (b *buildFS) container() (string, error) {
	if b.ctr != "" {
		return b.ctr, nil
	}
	r, err := b.d.engine.ContainerCreate(b.ctx, client.ContainerCreateOptions{
		Config: &container.Config{
			Image: b.top, Entrypoint: []string{""}, Cmd: []string{"/.sockerless-build-step"},
			Labels: map[string]string{buildLabel: "1"},
		},
		HostConfig: &container.HostConfig{NetworkMode: "none"},
	})
	if err != nil {
		return "", fmt.Errorf("build container: %w", err)
	}
	b.ctr = r.ID
	return r.ID, nil
}

// dropContainer removes the step's container.
func (b *buildFS) dropContainer() error {
	if b.ctr == "" {
		return nil
	}
	_, err := b.d.engine.ContainerRemove(context.WithoutCancel(b.ctx), b.ctr, client.ContainerRemoveOptions{Force: true, RemoveVolumes: true})
	if err != nil && !cerrdefs.IsNotFound(err) {
		return err
	}
	b.ctr, b.changed, b.ran = "", false, false
	return nil
}

// Run runs p as the process of a container made for it, as Docker's
// builder runs a RUN. An engine container's command is fixed when it is
// created, so p runs at the start of a step only: after Layer, or
// before anything else changed.
func (b *buildFS) Run(ctx context.Context, p proto.ProcessSpec, stdout, stderr io.Writer) (int, error) {
	if b.changed || b.ran {
		return 0, errors.New("the engine builder runs a process only at the start of a step: make a layer of the changes first")
	}
	if err := b.dropContainer(); err != nil {
		return 0, err
	}
	created, err := b.d.engine.ContainerCreate(ctx, client.ContainerCreateOptions{
		Config: &container.Config{
			Image: b.top, Entrypoint: []string{""}, Cmd: p.Args, Env: p.Env, WorkingDir: p.Dir, User: p.User,
			Labels: map[string]string{buildLabel: "1"},
			// A base image's health check is for its service, not a RUN.
			Healthcheck: &container.HealthConfig{Test: []string{"NONE"}},
		},
		HostConfig: b.runHostConfig(),
	})
	if err != nil {
		return 0, fmt.Errorf("build container: %w", err)
	}
	b.ctr, b.ran = created.ID, true
	att, err := b.d.engine.ContainerAttach(ctx, created.ID, client.ContainerAttachOptions{Stream: true, Stdout: true, Stderr: true})
	if err != nil {
		return 0, err
	}
	defer att.Close()
	copied := make(chan error, 1)
	go func() {
		_, err := stdcopy.StdCopy(stdout, stderr, att.Reader)
		copied <- err
	}()
	wait := b.d.engine.ContainerWait(ctx, created.ID, client.ContainerWaitOptions{Condition: container.WaitConditionNextExit})
	if _, err := b.d.engine.ContainerStart(ctx, created.ID, client.ContainerStartOptions{}); err != nil {
		return 0, err
	}
	var code int
	select {
	case r := <-wait.Result:
		if r.Error != nil && r.Error.Message != "" {
			return 0, errors.New(r.Error.Message)
		}
		code = int(r.StatusCode)
	case err := <-wait.Error:
		return 0, err
	}
	// The attach stream ends with the process; its last output may
	// still be on the way.
	select {
	case <-copied:
	case <-time.After(5 * time.Second):
	}
	return code, nil
}

// stat stats p in the step's container; ok is false when p is missing.
func (b *buildFS) stat(p string) (st container.PathStat, ok bool, err error) {
	ctr, err := b.container()
	if err != nil {
		return st, false, err
	}
	r, err := b.d.engine.ContainerStatPath(b.ctx, ctr, client.ContainerStatPathOptions{Path: p})
	if cerrdefs.IsNotFound(err) {
		return st, false, nil
	}
	if err != nil {
		return st, false, err
	}
	return r.Stat, true, nil
}

// IsDir follows a symlink, as a COPY into it does.
func (b *buildFS) IsDir(p string) (bool, error) {
	isDir, _, err := b.dirStat(path.Clean("/" + p))
	return isDir, err
}

// dirStat reports whether p is a directory (through a symlink) and
// whether it exists at all.
func (b *buildFS) dirStat(p string) (isDir, exists bool, err error) {
	st, ok, err := b.stat(p)
	if err != nil || !ok {
		return false, false, err
	}
	if st.Mode&os.ModeSymlink == 0 || p == "/" {
		return st.Mode.IsDir(), true, nil
	}
	// The engine resolves a trailing "/." through the link.
	st, ok, err = b.stat(p + "/.")
	if err != nil || !ok {
		return false, true, nil
	}
	return st.Mode.IsDir(), true, nil
}

// MkdirAll creates the missing directories of p under its deepest
// existing one, leaving the existing ones (and links to them) alone.
func (b *buildFS) MkdirAll(p string) error {
	p = path.Clean("/" + p)
	var missing []string
	base := p
	for {
		isDir, exists, err := b.dirStat(base)
		if err != nil {
			return err
		}
		if isDir {
			break
		}
		if exists {
			return fmt.Errorf("mkdir %s: %s is not a directory", p, base)
		}
		if base == "/" {
			return fmt.Errorf("mkdir %s: the build container has no root directory", p)
		}
		missing = append([]string{path.Base(base)}, missing...)
		base = path.Dir(base)
	}
	if len(missing) == 0 {
		return nil
	}
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	now := time.Now()
	for i := range missing {
		name := strings.Join(missing[:i+1], "/") + "/"
		if err := tw.WriteHeader(&tar.Header{Name: name, Typeflag: tar.TypeDir, Mode: 0o755, ModTime: now}); err != nil {
			return err
		}
	}
	if err := tw.Close(); err != nil {
		return err
	}
	return b.Extract(base, &buf)
}

// Extract unpacks r into dir with the engine's archive API; the engine
// makes everything root's, as COPY without --chown does.
func (b *buildFS) Extract(dir string, r io.Reader) error {
	ctr, err := b.container()
	if err != nil {
		return err
	}
	b.changed = true
	_, err = b.d.engine.CopyToContainer(b.ctx, ctr, client.CopyToContainerOptions{DestinationPath: dir, Content: r})
	return err
}

// Archive writes p as the engine's archive API names it.
func (b *buildFS) Archive(p string, w io.Writer) error {
	ctr, err := b.container()
	if err != nil {
		return err
	}
	if path.Clean("/"+p) == "/" {
		p = "/."
	}
	r, err := b.d.engine.CopyFromContainer(b.ctx, ctr, client.CopyFromContainerOptions{SourcePath: p})
	if err != nil {
		return notExist(err)
	}
	defer r.Content.Close()
	_, err = io.Copy(w, r.Content)
	return err
}

// Layer commits the step's container as an intermediate image and
// returns the layer it added: the empty layer when the step changed
// nothing, which the engine commits as no layer at all.
func (b *buildFS) Layer(ctx context.Context) (string, error) {
	ctr, err := b.container()
	if err != nil {
		return "", err
	}
	res, err := b.d.engine.ContainerCommit(ctx, ctr, client.ContainerCommitOptions{NoPause: true})
	if err != nil {
		return "", fmt.Errorf("committing the step: %w", err)
	}
	b.images = append(b.images, res.ID)
	insp, err := b.d.engine.ImageInspect(ctx, res.ID)
	if err != nil {
		return "", err
	}
	if err := b.dropContainer(); err != nil {
		return "", err
	}
	b.top = res.ID
	n := len(insp.RootFS.Layers)
	if n == b.layers {
		return emptyLayer.String(), nil
	}
	if n != b.layers+1 {
		return "", fmt.Errorf("the engine's commit made %d layers, want 1", n-b.layers)
	}
	b.layers = n
	return insp.RootFS.Layers[n-1], nil
}

// Commit makes the image of config, whose rootfs lists the base's
// layers and those Layer returned, from the layers the engine holds.
func (b *buildFS) Commit(ctx context.Context, config []byte) (core.ImageContent, error) {
	s, err := b.d.saveImage(ctx, b.top)
	if err != nil {
		return core.ImageContent{}, err
	}
	defer s.close()
	return b.d.load(ctx, s, config)
}

// Close removes the step's container and the intermediate images,
// newest first: each is the parent of the next. Images Commit made hold
// the layers they need themselves.
func (b *buildFS) Close() error {
	errs := []error{b.dropContainer()}
	ctx := context.WithoutCancel(b.ctx)
	for i := len(b.images) - 1; i >= 0; i-- {
		_, err := b.d.engine.ImageRemove(ctx, b.images[i], client.ImageRemoveOptions{})
		if err != nil && !cerrdefs.IsNotFound(err) {
			errs = append(errs, err)
		}
	}
	b.images = nil
	return errors.Join(errs...)
}

var _ core.Builder = (*Driver)(nil)

// runHostConfig is the network of a RUN's container: engine workloads
// use the host's network (see create), and a RUN reaches the network
// the same way, its --network's containers by name at loopback, or has
// none.
func (b *buildFS) runHostConfig() *container.HostConfig {
	if b.net.None {
		return &container.HostConfig{NetworkMode: "none", ExtraHosts: b.net.ExtraHosts}
	}
	return &container.HostConfig{NetworkMode: "host", ExtraHosts: append(append([]string{}, b.net.ExtraHosts...), loopbackHosts(b.net.Peers)...)}
}
