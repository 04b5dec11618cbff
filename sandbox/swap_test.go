package sandbox

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	tt "github.com/sockerless/sockerless/sandbox/treetest"
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
	before := tt.Snapshot(t, host)
	root := t.TempDir()
	files(t, root, map[string]string{"w/d/victim": "inside\n", "w/d/sub/": ""})
	const n = "40"
	out := &syncBuffer{}
	// ls -a of the real directory; a lost race can leave victim renamed.
	listed := func() bool { return strings.Contains(out.String(), ".\n..\n") }
	stop := tt.SwapDir(t, filepath.Join(root, "w", "d"), host, listed)
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
	tt.Unchanged(t, host, before)
	return n + " rounds of swaps against mkdir, touch, ln -s, chmod, mv, rm, rmdir, ls, stat and cat: the host directory is unchanged and never shown"
}
