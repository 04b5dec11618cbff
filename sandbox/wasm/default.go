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

// Default is the process-wide engine for the utility module, compiled
// (once per install, cached by wazero) on first use. In a source
// checkout with a go command the module is built from the sources (once
// per source change, cached in CacheDir), so development never runs a
// stale one; elsewhere it is the module embedded by make (Prebuilt). It
// returns why not when there is neither.
func Default() (*Engine, error) {
	defaultOnce.Do(func() {
		defaultEngine, defaultErr = newDefault()
	})
	return defaultEngine, defaultErr
}

func newDefault() (*Engine, error) {
	dir, err := CacheDir()
	if err != nil {
		return nil, err
	}
	var e *Engine
	if why := Available(); why == nil {
		bin, err := Build(context.Background(), dir)
		if err != nil {
			return nil, err
		}
		e, err = NewEngine(bin, dir+"/compiled")
	} else if bin, ok := Prebuilt(); ok {
		e, err = newEngine(bin, dir+"/compiled")
	} else {
		return nil, fmt.Errorf("%w; and this binary was built without the prebuilt module (make build embeds it)", why)
	}
	if err != nil {
		return nil, fmt.Errorf("wasm: %w", err)
	}
	return e, nil
}
