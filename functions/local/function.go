package local

import (
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
	Driver *Driver
	store  *bolt.Store
}

// Open starts the function with its data under dir. agentURL is where
// workload agents dial the edge.
func Open(dir, agentURL string, log *slog.Logger) (*Function, error) {
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
	drv, err := NewDriver(dir, agentURL, log)
	if err != nil {
		store.Close()
		return nil, err
	}
	c := core.New(core.Config{
		Store: store, Compute: drv, Images: drv, Secret: secret,
		Backend: "local", DataRoot: dir, Log: log,
	})
	return &Function{Core: c, Driver: drv, store: store}, nil
}

// Close stops the workloads and closes the store.
func (f *Function) Close() error {
	f.Driver.Close()
	return f.store.Close()
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
