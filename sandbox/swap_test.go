package sandbox

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// symlinkSwapChanges races shell commands that change or list a
// directory against a loop that swaps the directory for a symlink to a
// host directory: the host directory must come out exactly as it was,
// and no listing or stat may show what only it holds. The loop runs on
// the host, as fast as it can: what it does is what a process of the
// container can do (mv d real; ln -s HOST d), but a shell loop swaps too
// slowly to hit the window in a short test.
func symlinkSwapChanges(t *testing.T) string {
	host := t.TempDir()
	files(t, host, map[string]string{"victim": "HOST SECRET\n", "host-only": "HOST SECRET\n", "sub/": "", "sub/victim": "HOST SECRET\n"})
	if err := os.Chmod(filepath.Join(host, "victim"), 0o640); err != nil {
		t.Fatal(err)
	}
	before := hostTree(t, host)
	root := t.TempDir()
	files(t, root, map[string]string{"w/d/victim": "inside\n", "w/d/sub/": ""})
	const n = "40"
	out := &syncBuffer{}
	// ls -a of the real directory; a lost race can leave victim renamed.
	listed := func() bool { return strings.Contains(out.String(), ".\n..\n") }
	stop := swapDir(t, filepath.Join(root, "w", "d"), host, listed)
	r := runTo(t, out, Spec{Root: root, Args: sh(`
i=0; while [ $i -lt ` + n + ` ]; do
  mkdir /w/d/new$i; touch /w/d/t$i; ln -s x /w/d/l$i
  chmod 600 /w/d/victim; chmod 700 /w/d/sub
  mv /w/d/victim /w/d/moved; mv /w/d/moved /w/d/victim
  rm -f /w/d/t$i /w/d/l$i; rmdir /w/d/new$i; rm -rf /w/d/sub; mkdir /w/d/sub
  ls -a /w/d/; stat /w/d/victim /w/d/host-only; cat /w/d/victim /w/d/moved
  i=$((i+1))
done 2>/dev/null`)}, "")
	stop()
	if strings.Contains(r.stdout, "host-only") || strings.Contains(r.stdout, "HOST SECRET") {
		t.Fatalf("listed or read the host directory: %.300q", r.stdout)
	}
	if !listed() {
		t.Fatalf("the commands never reached the directory; stdout %.200q stderr %.200q", r.stdout, r.stderr)
	}
	after := hostTree(t, host)
	for name, was := range before {
		if after[name] != was {
			t.Errorf("host %s changed: %q -> %q", name, was, after[name])
		}
	}
	for name := range after {
		if _, ok := before[name]; !ok {
			t.Errorf("host %s was created", name)
		}
	}
	return n + " rounds of swaps against mkdir, touch, ln -s, chmod, mv, rm, rmdir, ls, stat and cat: the host directory is unchanged and never shown"
}

// swapDir flips host directory d between itself and a symlink to host
// until stopped, and leaves the directory in place. Until reached
// reports that the commands got to the directory, it leaves the
// directory in place a little longer each time: on a loaded machine a
// command is slow, and would otherwise never find it between two swaps.
func swapDir(t *testing.T, d, host string, reached func() bool) (stop func()) {
	aside := d + ".real"
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		pause := time.Microsecond
		for {
			select {
			case <-done:
				return
			default:
			}
			if os.Rename(d, aside) != nil {
				continue
			}
			_ = os.Symlink(host, d)
			time.Sleep(time.Microsecond)
			_ = os.RemoveAll(d) // the symlink, or a d the container made meanwhile
			_ = os.Rename(aside, d)
			time.Sleep(pause) // let commands find the directory too
			if pause < 100*time.Millisecond && !reached() {
				pause += pause/10 + time.Microsecond
			}
		}
	}()
	return func() {
		close(done)
		<-finished
		if _, err := os.Lstat(aside); err == nil {
			_ = os.RemoveAll(d)
			if err := os.Rename(aside, d); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// hostTree maps each entry under dir to its mode, size, mtime and content.
func hostTree(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		var body []byte
		if fi.Mode().IsRegular() {
			body, _ = os.ReadFile(p)
		}
		out[p] = fmt.Sprintf("%v %d %d %q", fi.Mode(), fi.Size(), fi.ModTime().UnixNano(), body)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}
