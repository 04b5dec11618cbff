//go:build !unix

package wasm

import (
	"io/fs"

	"github.com/sockerless/sockerless/sandbox/wasm/abi"
)

// unixStat has nothing to add where the host has no Unix stat.
func unixStat(fs.FileInfo, *abi.Stat) {}

// hostOwner passes ids through where the host has no Unix owners (its
// chown fails anyway).
func hostOwner(uid, gid uint32) (int, int) { return int(int32(uid)), int(int32(gid)) }
