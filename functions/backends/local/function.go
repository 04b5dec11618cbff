package local

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/sockerless/sockerless/functions/core"
	"github.com/sockerless/sockerless/functions/state/bolt"
)

// Function is the local control-plane function: core over bbolt and the
// sandbox driver, called in-process through the same envelope a remote
// function gets.
type Function struct {
	*core.Core
	// Driver is the sandbox runtime; nil when another Backend runs the
	// workloads.
	Driver  *Driver
	backend Backend
	store   *bolt.Store
}

// Backend is a runtime local mode can run workloads on: the sandbox
// (Driver) or another, such as a Docker Engine.
type Backend interface {
	core.Compute
	core.Images
	Close() error
}

// Open starts the function with its data under dir, its containers in
// the sandbox. agentURL is where workload agents dial the edge; why says
// why the sandbox runs them (`docker info`), "" when the user named it.
func Open(dir, agentURL, why string, log *slog.Logger) (*Function, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	drv, err := New(context.Background(), Config{Dir: dir, AgentURL: agentURL, Log: log})
	if err != nil {
		return nil, err
	}
	f, err := OpenBackend(dir, "local", core.RuntimeInfo{Name: "sandbox", Why: why}, drv, log)
	if err != nil {
		_ = drv.Close()
		return nil, err
	}
	// The sandbox runs workloads in this process, and the store's lock
	// keeps any other out: whatever the store holds as running died with
	// the previous process, and no create is in progress.
	if err := f.RecoverAlone(context.Background()); err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("recovering what the last run left: %w", err)
	}
	f.Driver = drv
	return f, nil
}

// OpenBackend starts the function with its state under dir and b
// running the workloads and holding the images; name is the backend's
// name in `docker info` and in messages ("local", "local-engine"), rt
// the runtime b is, as `docker info` shows it.
func OpenBackend(dir, name string, rt core.RuntimeInfo, b Backend, log *slog.Logger) (*Function, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	secret, err := loadSecret(filepath.Join(dir, "agent-secret"))
	if err != nil {
		return nil, err
	}
	store, err := bolt.Open(filepath.Join(dir, "state.db"))
	if err != nil {
		return nil, fmt.Errorf("open state: %w", err)
	}
	c := core.New(core.Config{
		Store: store, Compute: b, Images: b, Secret: secret,
		Backend: name, DataRoot: dir, Runtime: rt, Log: log,
		About: [][2]string{{"Function", "in-process (local mode)"}, {"Store", "bbolt " + filepath.Join(dir, "state.db")}},
	})
	return &Function{Core: c, backend: b, store: store}, nil
}

// Close stops the backend and closes the store.
func (f *Function) Close() error {
	return errors.Join(f.backend.Close(), f.store.Close())
}

// loadSecret keeps the token-signing key across restarts, so agents of
// containers started before a restart are still recognised.
func loadSecret(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err == nil && len(b) == 32 {
		return b, nil
	}
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	b = make([]byte, 32)
	_, _ = rand.Read(b)
	if err := os.WriteFile(path, b, 0o600); err != nil {
		return nil, err
	}
	return b, nil
}
