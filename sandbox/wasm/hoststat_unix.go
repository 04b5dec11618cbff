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

// hostOwner is the host uid and gid for container ones: containerID
// the other way round, with keepID as -1.
func hostOwner(uid, gid uint32) (int, int) {
	return hostID(uid, hostUID), hostID(gid, hostGID)
}

func hostID(id, host uint32) int {
	switch id {
	case keepID:
		return -1
	case 0:
		return int(host)
	}
	return int(id)
}

// unixStat fills what the host's stat knows beyond fs.FileInfo.
func unixStat(fi fs.FileInfo, st *abi.Stat) {
	if s, ok := fi.Sys().(*syscall.Stat_t); ok {
		st.UID, st.GID = containerID(s.Uid, hostUID), containerID(s.Gid, hostGID)
		st.Nlink, st.Ino, st.Blocks = uint64(s.Nlink), uint64(s.Ino), int64(s.Blocks)
	}
}
