// Package abi is the wire format of the sandbox's host functions (the
// "sockerless" import module) shared by both sides: the host in
// sandbox/wasm and the utility module built from sandbox/wasm/utils.
// It uses only the standard library so that it compiles for wasip1.
package abi

import (
	"encoding/binary"
	"io/fs"
	"time"
)

var le = binary.LittleEndian

// AppendStrings appends a string list: a uint32 count, then each string
// as a uint32 length and its bytes. Unlike NUL separation it carries
// empty strings and NUL bytes unchanged.
func AppendStrings(b []byte, ss ...string) []byte {
	b = le.AppendUint32(b, uint32(len(ss)))
	for _, s := range ss {
		b = le.AppendUint32(b, uint32(len(s)))
		b = append(b, s...)
	}
	return b
}

// ReadStrings reads a list AppendStrings wrote and returns what follows
// it; ok is false when b is malformed.
func ReadStrings(b []byte) (ss []string, rest []byte, ok bool) {
	if len(b) < 4 {
		return nil, nil, false
	}
	n := le.Uint32(b)
	b = b[4:]
	if uint64(n) > uint64(len(b))/4 {
		return nil, nil, false
	}
	ss = make([]string, 0, n)
	for range n {
		if len(b) < 4 {
			return nil, nil, false
		}
		l := le.Uint32(b)
		b = b[4:]
		if uint64(l) > uint64(len(b)) {
			return nil, nil, false
		}
		ss = append(ss, string(b[:l]))
		b = b[l:]
	}
	return ss, b, true
}

// Stat is the file metadata WASI preview 1 does not carry (permission
// bits, owner), as the container shows it: owners are container ids.
type Stat struct {
	Mode    fs.FileMode
	UID     uint32
	GID     uint32
	Size    int64
	ModTime time.Time
	Nlink   uint64
	Ino     uint64
	Blocks  int64 // 512-byte blocks
}

// StatSize is the encoded size of a Stat.
const StatSize = 52

// Put encodes s into b, which holds at least StatSize bytes.
func (s Stat) Put(b []byte) {
	le.PutUint32(b[0:], uint32(s.Mode))
	le.PutUint32(b[4:], s.UID)
	le.PutUint32(b[8:], s.GID)
	le.PutUint64(b[12:], uint64(s.Size))
	le.PutUint64(b[20:], uint64(s.ModTime.UnixNano()))
	le.PutUint64(b[28:], s.Nlink)
	le.PutUint64(b[36:], s.Ino)
	le.PutUint64(b[44:], uint64(s.Blocks))
}

// DecodeStat reads what Put wrote.
func DecodeStat(b []byte) Stat {
	return Stat{
		Mode: fs.FileMode(le.Uint32(b[0:])), UID: le.Uint32(b[4:]), GID: le.Uint32(b[8:]),
		Size: int64(le.Uint64(b[12:])), ModTime: time.Unix(0, int64(le.Uint64(b[20:]))),
		Nlink: le.Uint64(b[28:]), Ino: le.Uint64(b[36:]), Blocks: int64(le.Uint64(b[44:])),
	}
}

// ExecTimedOut is what exec returns when the command was stopped because
// its timeout passed, distinct from any exit status.
const ExecTimedOut = -1

// WASI preview 1 error numbers the host functions return; on wasip1
// syscall.Errno uses the same numbering, so the guest converts with a
// cast.
const (
	EACCES       = 2
	EBADF        = 8
	EEXIST       = 20
	EINVAL       = 28
	EIO          = 29
	EISDIR       = 31
	ELOOP        = 32
	ENAMETOOLONG = 37
	ENOENT       = 44
	ENOSYS       = 52
	ENOTDIR      = 54
	ENOTEMPTY    = 55
	EPERM        = 63
	EROFS        = 69
	EXDEV        = 75
)

// The fields of sysinfo's string list, in order.
const (
	InfoHostname = iota
	InfoUser
	InfoUID
	InfoGID
	InfoGroup
	InfoRelease
	InfoVersion
	InfoMachine
	InfoDir    // the working directory
	InfoHeap   // bytes the module's Go runtime may use
	InfoFields // how many there are
)
