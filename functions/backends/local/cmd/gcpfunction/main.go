// Command gcpfunction is the control plane as a Cloud Run function
// (functions-framework-go, state in Firestore). SOCKERLESS_BACKEND picks
// where its containers run: "cloudrun", as Cloud Run job executions
// (package cloudrun, configured from its own variables), or "sandbox",
// the default, in the sandbox runtime inside the function's own
// instance: the one compute driver that runs wherever the function runs,
// needing no privileges and no other service. Each backend keeps its
// own records.
//
// On the sandbox backend the driver lives in the instance: images, container filesystems and
// running workloads are on its local disk (SOCKERLESS_DATA_DIR, in
// Cloud Run's in-memory /tmp unless set) and go with it, while the
// records are in Firestore. So it is for one instance (max instances 1)
// that stays up while containers run; a call that lands on another
// instance finds the record but not the workload. Workloads that need
// the cloud's own compute are the cloudrun and gcf backends'.
// Published ports are refused: the instance takes no traffic but the
// function's.
package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/sockerless/sockerless/functions/backends/cloudrun"
	"github.com/sockerless/sockerless/functions/backends/local"
	"github.com/sockerless/sockerless/functions/core"
	"github.com/sockerless/sockerless/functions/platform/gcp/gcphost"
)

// Backend is the backend's name in `docker info` and in messages.
const Backend = "sandbox"

// EnvDataDir is where the driver keeps images, containers and volumes.
const EnvDataDir = "SOCKERLESS_DATA_DIR"

// EnvBackend picks the backend: Backend (the default) or cloudrun's.
const EnvBackend = "SOCKERLESS_BACKEND"

// backends are the functions this bootstrap can be.
var backends = map[string]gcphost.Function{
	Backend:          {Name: Backend, Workloads: sandbox},
	cloudrun.Backend: cloudrun.Function,
}

func main() {
	name := os.Getenv(EnvBackend)
	if name == "" {
		name = Backend
	}
	f, ok := backends[name]
	if !ok {
		slog.Error("sockerless function cannot start", "err", fmt.Sprintf("%s=%q: the backends are %q and %q", EnvBackend, name, Backend, cloudrun.Backend))
		os.Exit(1)
	}
	gcphost.Main(f)
}

// sandbox opens the sandbox driver on the instance's disk.
func sandbox(ctx context.Context, env gcphost.Env) (gcphost.Workloads, error) {
	dir := env.Getenv(EnvDataDir)
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "sockerless")
	}
	d, err := local.New(ctx, local.Config{Dir: dir, AgentURL: env.AgentURL})
	if err != nil {
		return gcphost.Workloads{}, fmt.Errorf("the sandbox driver cannot keep its files in %s (%s): %w", dir, EnvDataDir, err)
	}
	return gcphost.Workloads{Compute: newUnpublished(d), Images: d}, nil
}

// unpublished is the sandbox driver less core.Publisher, so that core
// refuses published ports (501, saying why): the sandbox's listeners
// would be on the function's instance, which takes no traffic but the
// function's. Everything else the driver offers is kept.
type unpublished struct {
	core.Compute
	core.Preparer
	core.Volumes
	core.FileReacher
	core.Snapshotter
}

func newUnpublished(d *local.Driver) unpublished { return unpublished{d, d, d, d, d} }
