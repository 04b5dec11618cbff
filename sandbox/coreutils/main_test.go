package coreutils_test

import (
	"fmt"
	"os"
	"testing"

	"github.com/sockerless/sockerless/sandbox/wasm"
)

// TestMain builds and compiles the utility module before any case runs:
// after a source change that takes longer than a case's own timeout.
func TestMain(m *testing.M) {
	if _, err := wasm.Default(); err != nil {
		fmt.Fprintln(os.Stderr, "utility module:", err)
		os.Exit(1)
	}
	os.Exit(m.Run())
}
