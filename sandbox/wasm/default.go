package wasm

import (
	"context"
	"fmt"
	"sync"
)

var (
	defaultOnce   sync.Once
	defaultEngine *Engine
	defaultErr    error
)

// Default is the process-wide engine for the built utility module: built
// (once per source change, cached in CacheDir) and compiled (once per
// install, cached by wazero) on first use. It returns why not when the
// module cannot be built here, e.g. without a Go toolchain.
func Default() (*Engine, error) {
	defaultOnce.Do(func() {
		defaultEngine, defaultErr = newDefault()
	})
	return defaultEngine, defaultErr
}

func newDefault() (*Engine, error) {
	if err := Available(); err != nil {
		return nil, err
	}
	dir, err := CacheDir()
	if err != nil {
		return nil, err
	}
	bin, err := Build(context.Background(), dir)
	if err != nil {
		return nil, err
	}
	e, err := NewEngine(bin, dir+"/compiled")
	if err != nil {
		return nil, fmt.Errorf("wasm: %w", err)
	}
	return e, nil
}
