//go:build unix

package wasm

import (
	"io/fs"
	"os"
	"syscall"

	"github.com/sockerless/sockerless/sandbox/wasm/abi"
)

// The image's files are unpacked by the host user, so like a rootless
// user namespace the sandbox shows that user as root inside the container.
var hostUID, hostGID = uint32(os.Getuid()), uint32(os.Getgid())

func containerID(id, host uint32) uint32 {
	if id == host {
		return 0
	}
	return id
}

// unixStat fills what the host's stat knows beyond fs.FileInfo.
func unixStat(fi fs.FileInfo, st *abi.Stat) {
	if s, ok := fi.Sys().(*syscall.Stat_t); ok {
		st.UID, st.GID = containerID(s.Uid, hostUID), containerID(s.Gid, hostGID)
		st.Nlink, st.Ino, st.Blocks = uint64(s.Nlink), uint64(s.Ino), int64(s.Blocks)
	}
}
