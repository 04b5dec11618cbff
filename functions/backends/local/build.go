package local

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io"
	"io/fs"

	"github.com/sockerless/sockerless/agent/archive"
	"github.com/sockerless/sockerless/agent/proto"
	"github.com/sockerless/sockerless/functions/backends/local/content"
	"github.com/sockerless/sockerless/functions/core"
	"github.com/sockerless/sockerless/sandbox"
)

// StartBuild gives a build its working filesystem: the base image
// unpacked privately, under a writable layer the sandbox writes. Its
// steps share the host's network, as every sandbox does: the build's
// network settings do not change what they reach.
func (d *Driver) StartBuild(ctx context.Context, baseID string, _ core.BuildNetwork) (core.BuildFS, error) {
	b, err := d.content.StartBuild(ctx, baseID)
	if err != nil {
		return nil, err
	}
	id := make([]byte, 6)
	_, _ = rand.Read(id)
	return &buildFS{b: b, hostname: hex.EncodeToString(id)}, nil
}

type buildFS struct {
	b        *content.Build
	hostname string
}

// Run runs a step's process in the sandbox, as a container over the
// build's filesystem would.
func (f *buildFS) Run(ctx context.Context, p proto.ProcessSpec, stdout, stderr io.Writer) (int, error) {
	proc, err := sandbox.Start(ctx, sandbox.Spec{
		Root: f.b.Upper(), Image: f.b.Lower(), Args: p.Args, Env: p.Env, Dir: p.Dir,
		User: p.User, Hostname: f.hostname,
	}, sandbox.Stdio{Stdout: stdout, Stderr: stderr})
	if err != nil {
		return 0, err
	}
	code := proc.Wait()
	return code, ctx.Err()
}

func (f *buildFS) fs() (archive.FS, error) { return containerFS(f.b.Upper(), f.b.Lower(), nil) }

func (f *buildFS) IsDir(p string) (bool, error) {
	fsys, err := f.fs()
	if err != nil {
		return false, err
	}
	fi, err := fsys.Stat(p)
	if err != nil {
		if isNotExist(err) {
			return false, nil
		}
		return false, err
	}
	return fi.IsDir(), nil
}

func (f *buildFS) MkdirAll(p string) error {
	fsys, err := f.fs()
	if err != nil {
		return err
	}
	return fsys.MkdirAll(p, 0o755)
}

func (f *buildFS) Extract(dir string, r io.Reader) error {
	fsys, err := f.fs()
	if err != nil {
		return err
	}
	return archive.Extract(r, fsys, dir, false)
}

func (f *buildFS) Archive(p string, w io.Writer) error {
	fsys, err := f.fs()
	if err != nil {
		return err
	}
	return archive.Write(w, fsys, p)
}

func (f *buildFS) Layer(ctx context.Context) (string, error) {
	h, err := f.b.Seal()
	if err != nil {
		return "", err
	}
	return h.String(), nil
}

func (f *buildFS) Commit(ctx context.Context, config []byte) (core.ImageContent, error) {
	img, err := f.b.Commit(config)
	if err != nil {
		return core.ImageContent{}, err
	}
	return imageContent(img)
}

func (f *buildFS) Close() error { return f.b.Close() }

func isNotExist(err error) bool {
	return errors.Is(err, fs.ErrNotExist) || errors.Is(err, proto.ErrNotFound)
}

var _ core.Builder = (*Driver)(nil)
