package wasm

import (
	"os"
	"strconv"
	"time"

	"golang.org/x/sys/unix"
)

// chtimes sets f's times through its descriptor: its name may meanwhile
// lead elsewhere (a directory swapped for a symlink to the host).
func chtimes(f *os.File, atime, mtime time.Time) error {
	ts := []unix.Timespec{unix.NsecToTimespec(atime.UnixNano()), unix.NsecToTimespec(mtime.UnixNano())}
	return unix.UtimesNano("/proc/self/fd/"+strconv.Itoa(int(f.Fd())), ts)
}
