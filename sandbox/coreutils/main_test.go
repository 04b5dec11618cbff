package coreutils_test

import (
	"context"
	"fmt"
	"os"
	"testing"

	"github.com/sockerless/sockerless/sandbox/wasm"
)

// TestMain builds and compiles the utility module before any case runs:
// after a source change that takes longer than a case's own timeout
// (the first cases timed out under load).
func TestMain(m *testing.M) {
	e, err := wasm.Default()
	if err == nil {
		err = e.Prime(context.Background())
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "utility module:", err)
		os.Exit(1)
	}
	os.Exit(m.Run())
}
