package wasm

import "embed"

// prebuilt holds utils.wasm when `make prebuilt` ran before the build;
// it always holds the README that keeps the directory.
//
//go:embed prebuilt
var prebuilt embed.FS

// Prebuilt returns the utility module embedded at build time, and
// whether there is one.
func Prebuilt() ([]byte, bool) {
	b, err := prebuilt.ReadFile("prebuilt/utils.wasm")
	return b, err == nil && len(b) > 0
}
