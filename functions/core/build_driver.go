package core

import (
	"context"
	"io"

	"github.com/sockerless/sockerless/agent/proto"
)

// Builder is what a backend whose Images can build offers `docker
// build`: a working copy of an image's filesystem that the steps change
// one layer at a time. Core interprets the Dockerfile; the backend only
// runs, copies and keeps.
type Builder interface {
	// StartBuild makes a working filesystem from baseID ("" for
	// scratch), whose RUN steps have network net where the backend can
	// give it.
	StartBuild(ctx context.Context, baseID string, net BuildNetwork) (BuildFS, error)
}

// BuildNetwork is the network of a build's RUN steps (docker build
// --network, --add-host), as core resolved it.
type BuildNetwork struct {
	// None: the steps have no network but loopback (--network none).
	None bool
	// ExtraHosts are --add-host's entries ("name:ip").
	ExtraHosts []string
	// Peers are the names the containers on the network --network names
	// are known by there (as Workload.Peers); a runtime on the host's
	// network resolves them to loopback.
	Peers []string
}

// BuildFS is one build's working filesystem. Nothing it holds is an
// image until Commit; Close drops whatever was not committed.
type BuildFS interface {
	// Run runs a process in the filesystem and returns its exit code.
	Run(ctx context.Context, p proto.ProcessSpec, stdout, stderr io.Writer) (int, error)
	// IsDir reports whether path is a directory (false when missing).
	IsDir(path string) (bool, error)
	// MkdirAll creates a directory and its parents.
	MkdirAll(path string) error
	// Extract unpacks a tar stream into directory dir, as docker cp does.
	Extract(dir string, tar io.Reader) error
	// Archive writes path as a tar, named as docker cp names it (its
	// base name; "." for "dir/." and "/"), for COPY --from.
	Archive(path string, w io.Writer) error
	// Layer turns what changed since the last layer into a new one and
	// returns its diff ID ("sha256:...").
	Layer(ctx context.Context) (string, error)
	// Commit stores an image of the base's layers, every Layer so far
	// and config, an OCI image config whose rootfs lists those layers.
	Commit(ctx context.Context, config []byte) (ImageContent, error)
	Close() error
}
