//go:build !unix

package wasm

import (
	"io/fs"

	"github.com/sockerless/sockerless/sandbox/wasm/abi"
)

// unixStat has nothing to add where the host has no Unix stat.
func unixStat(fs.FileInfo, *abi.Stat) {}
