//go:build linux

package rootfs

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	tt "github.com/sockerless/sockerless/sandbox/treetest"
	"golang.org/x/sys/unix"
)

// A process of the container can swap a directory it owns for a symlink
// to a host path while the FS is between resolving a path under it and
// acting on it. These tests run every kind of operation in a loop against
// such a swapper and check that the host directory the symlink reaches is
// left exactly as it was and that nothing of it was ever read back.

const (
	copyUps     = 300                   // lower files the copy-up case writes, one per iteration
	hostSecret  = "HOST-SECRET-CONTENT" // content and link target only on the host
	hostOnly    = "host-only"           // entry name only on the host
	victim      = "victim"              // a file on both sides, under the swapped dir
	victimBytes = "container file"      // its container content: another size
)

// canary makes the host directory the swapped symlink points at.
func canary(t *testing.T) string {
	t.Helper()
	h := filepath.Join(t.TempDir(), "host")
	mkdir(t, filepath.Join(h, "sub"))
	write(t, filepath.Join(h, victim), hostSecret)
	write(t, filepath.Join(h, hostOnly), hostSecret)
	write(t, filepath.Join(h, "sub", victim), hostSecret)
	if err := os.Symlink(hostSecret, filepath.Join(h, "link")); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{h, filepath.Join(h, "sub")} {
		if err := os.Chmod(p, 0o750); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Chmod(filepath.Join(h, victim), 0o640); err != nil {
		t.Fatal(err)
	}
	return h
}

// leak fails the test when a read returned something only the host has.
type leak struct {
	mu  sync.Mutex
	got []string
}

func (l *leak) check(what string, bad bool) {
	if bad {
		l.mu.Lock()
		l.got = append(l.got, what)
		l.mu.Unlock()
	}
}

func TestSymlinkSwapRaces(t *testing.T) {
	cases := []struct {
		name    string
		layered bool // /d and its content come from the lower layer
		iters   int  // enough for the swap to hit the window most runs
		op      func(f *FS, i int, l *leak)
	}{
		{"stat", false, 2000, func(f *FS, i int, l *leak) {
			for _, p := range []string{"/d/" + victim, "/d/" + hostOnly, "/d/sub"} {
				if fi, err := f.Lstat(p); err == nil {
					l.check("lstat "+p, fi.Size() == int64(len(hostSecret)) || fi.Mode().Perm() == 0o750 || fi.Mode().Perm() == 0o640)
				}
			}
		}},
		{"mkdir", false, 300, func(f *FS, i int, l *leak) {
			_ = f.Mkdir(fmt.Sprintf("/d/new%d", i), 0o755)
			_ = f.MkdirAll(fmt.Sprintf("/d/sub/deep%d/x", i), 0o755)
		}},
		{"remove", false, 1000, func(f *FS, i int, l *leak) {
			_ = f.Remove("/d/" + victim)
			_ = f.RemoveAll("/d/sub")
			_ = f.Remove("/d/link")
			restore(f)
		}},
		{"rename", false, 1500, func(f *FS, i int, l *leak) {
			_ = f.Rename("/d/"+victim, "/d/moved")
			_ = f.Rename("/d/moved", "/d/"+victim)
			_ = f.Rename("/d/sub", "/d/sub2")
			_ = f.Rename("/d/sub2", "/d/sub")
		}},
		{"chmod", false, 1500, func(f *FS, i int, l *leak) {
			_ = f.Chmod("/d/"+victim, fs.FileMode(0o600|i&1<<8))
			_ = f.Chmod("/d/sub", fs.FileMode(0o700|i&1<<6))
			_ = f.Chtimes("/d/"+victim, time.Unix(int64(i), 0), time.Unix(int64(i), 0))
		}},
		{"symlink-readlink", false, 1500, func(f *FS, i int, l *leak) {
			_ = f.Symlink("/x", fmt.Sprintf("/d/ln%d", i))
			if s, err := f.Readlink("/d/link"); err == nil {
				l.check("readlink "+s, s == hostSecret)
			}
		}},
		{"readdir", false, 1000, func(f *FS, i int, l *leak) {
			ents, _ := f.ReadDir("/d")
			for _, e := range ents {
				l.check("readdir "+e.Name(), e.Name() == hostOnly)
				if fi, err := e.Info(); err == nil {
					l.check("readdir info "+e.Name(), fi.Size() == int64(len(hostSecret)))
				}
			}
		}},
		{"read", false, 1000, func(f *FS, i int, l *leak) {
			if b, err := f.ReadFile("/d/" + victim); err == nil {
				l.check("read", strings.Contains(string(b), hostSecret))
			}
		}},
		{"copy-up", true, copyUps, func(f *FS, i int, l *leak) {
			w, err := f.OpenFile(fmt.Sprintf("/d/f%d", i), os.O_WRONLY|os.O_APPEND, 0, Stdio{})
			if err == nil {
				_, _ = w.Write([]byte("x"))
				_ = w.Close()
			}
			_ = f.Chmod(fmt.Sprintf("/d/sub/f%d", i), 0o600)
			_ = f.Remove(fmt.Sprintf("/d/g%d", i))
		}},
	}
	for _, c := range cases {
		for _, kernel := range []string{"openat2", "no-openat2"} {
			t.Run(c.name+"/"+kernel, func(t *testing.T) {
				if kernel == "no-openat2" {
					withoutOpenat2(t)
				}
				raceCase(t, c.layered, c.iters, c.op)
			})
		}
	}
}

// withoutOpenat2 makes the FS act as on a kernel before 5.6 until t ends.
func withoutOpenat2(t *testing.T) {
	real := openat2
	openat2 = func(int, string, *unix.OpenHow) (int, error) { return -1, unix.ENOSYS }
	t.Cleanup(func() { openat2 = real })
}

// raceCase runs op iters times against a swapper of /d and checks the
// host directory it swaps in.
func raceCase(t *testing.T, layered bool, iters int, op func(f *FS, i int, l *leak)) {
	host := canary(t)
	want := tt.Snapshot(t, host)
	up := filepath.Join(t.TempDir(), "upper")
	var lo string
	if layered {
		lo = filepath.Join(t.TempDir(), "lower")
		mkdir(t, filepath.Join(lo, "d", "sub"))
		for i := range copyUps {
			write(t, filepath.Join(lo, "d", fmt.Sprintf("f%d", i)), victimBytes)
			write(t, filepath.Join(lo, "d", fmt.Sprintf("g%d", i)), victimBytes)
			write(t, filepath.Join(lo, "d", "sub", fmt.Sprintf("f%d", i)), victimBytes)
		}
	}
	mkdir(t, filepath.Join(up, "d", "sub"))
	f := mustFS(t, up, lo, nil)
	restore(f)
	stop := tt.SwapDir(t, filepath.Join(up, "d"), host, nil)
	var l leak
	for i := range iters {
		op(f, i, &l)
	}
	stop()
	if len(l.got) > 0 {
		t.Errorf("reads returned host data %d times, first: %s", len(l.got), l.got[0])
	}
	tt.Unchanged(t, host, want)
}

// restore puts back the container side of /d that "remove" deletes.
func restore(f *FS) {
	if w, err := f.OpenFile("/d/"+victim, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644, Stdio{}); err == nil {
		_, _ = w.Write([]byte(victimBytes))
		_ = w.Close()
	}
	_ = f.Mkdir("/d/sub", 0o755)
	_ = f.Symlink("container", "/d/link")
}

// lexists checks the host directly, as a test that looks at layers does.
func lexists(host string) bool {
	_, err := os.Lstat(host)
	return err == nil
}
