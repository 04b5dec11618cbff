package kv

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"go.etcd.io/bbolt"
)

// OpenFile opens (creating it and dir when missing) the simulator's
// state file name in dir, which all its services' Stores share. An empty
// dir means no file: the nil DB, with which every Store keeps memory only.
func OpenFile(dir, name string) (*bbolt.DB, error) {
	if dir == "" {
		return nil, nil
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	db, err := bbolt.Open(filepath.Join(dir, name), 0o600, &bbolt.Options{Timeout: 2 * time.Second})
	if err != nil {
		return nil, fmt.Errorf("open state: %w", err)
	}
	return db, nil
}
