package backends

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sockerless/sockerless/e2e/cloud"
	"github.com/sockerless/sockerless/e2e/harness"
)

func init() {
	cloudTests["aws"] = append(cloudTests["aws"], cloudTest{"bind mounts are copies", func(t *testing.T, _ cloud.Deployment, e *harness.Engine, _, img string) {
		testBindCopies(t, e, img)
	}})
}

// testBindCopies: a bind's source on the edge's machine is in the task
// or function before main starts, its symlinks stay links, what main
// writes is back in the source when `docker run` returns, and a source
// the edge does not share is refused before main runs.
func testBindCopies(t *testing.T, e *harness.Engine, img string) {
	dir := t.TempDir()
	mustWrite(t, filepath.Join(dir, "src", "in.txt"), "from host\n")
	mustWrite(t, filepath.Join(dir, "src", "sub", "deep.txt"), "deep\n")
	mustWrite(t, filepath.Join(dir, "app.conf"), "one\n")
	if err := os.Symlink("/etc/hostname", filepath.Join(dir, "src", "escape")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("/etc", filepath.Join(dir, "etc-link")); err != nil {
		t.Fatal(err)
	}
	src, conf := filepath.Join(dir, "src"), filepath.Join(dir, "app.conf")

	t.Run("a directory and a file go in and come back", func(t *testing.T) {
		run(t, e, step{args: []string{"run", "--rm", "-v", src + ":/work", "-v", conf + ":/etc/app.conf", "--entrypoint", "sh", "@img@", "-c",
			"cat /work/in.txt /work/sub/deep.txt /etc/app.conf; readlink /work/escape; echo made > /work/sub/new.txt; echo two > /etc/app.conf"},
			has: []string{"from host\ndeep\none\n/etc/hostname"}}, img)
		if got := readFile(t, filepath.Join(src, "sub", "new.txt")); got != "made\n" {
			t.Errorf("new.txt came back as %q", got)
		}
		if got := readFile(t, conf); got != "two\n" {
			t.Errorf("app.conf came back as %q", got)
		}
		if l, err := os.Readlink(filepath.Join(src, "escape")); err != nil || l != "/etc/hostname" {
			t.Errorf("the symlink in the source is now %q, %v", l, err)
		}
	})
	t.Run("a read-only bind is not copied back", func(t *testing.T) {
		run(t, e, step{args: []string{"run", "--rm", "-v", src + ":/work:ro", "--entrypoint", "sh", "@img@", "-c", "echo x > /work/ro.txt"}}, img)
		if _, err := os.Stat(filepath.Join(src, "ro.txt")); err == nil {
			t.Error("ro.txt came back from a read-only bind")
		}
	})
	t.Run("--mount type=bind and a detached container", func(t *testing.T) {
		run(t, e, step{args: []string{"run", "-d", "--name", "bindd", "--mount", "type=bind,source=" + src + ",target=/work", "--entrypoint", "sh", "@img@", "-c", "echo detached > /work/d.txt"}}, img)
		run(t, e, step{args: []string{"wait", "bindd"}, out: str("0")}, img)
		if got := readFile(t, filepath.Join(src, "d.txt")); got != "detached\n" {
			t.Errorf("d.txt came back as %q", got)
		}
		run(t, e, step{args: []string{"rm", "bindd"}, out: str("bindd")}, img)
	})
	t.Run("each start copies in again what the last one copied back", func(t *testing.T) {
		args := []string{"--name", "bindr", "-v", src + ":/work", "--entrypoint", "sh", "@img@", "-c", "echo run >> /work/runs.txt"}
		run(t, e, step{args: append([]string{"run"}, args...)}, img)
		for _, again := range []string{"start", "restart"} {
			run(t, e, step{args: []string{again, "bindr"}, out: str("bindr")}, img)
			run(t, e, step{args: []string{"wait", "bindr"}, out: str("0")}, img)
		}
		if got := readFile(t, filepath.Join(src, "runs.txt")); got != "run\nrun\nrun\n" {
			t.Errorf("runs.txt after run, start and restart: %q", got)
		}
		run(t, e, step{args: []string{"rm", "bindr"}, out: str("bindr")}, img)
	})
	link := filepath.Join(dir, "etc-link")
	for _, tc := range []struct {
		name, source string
		errHas       []string
	}{
		{"a source that does not exist", filepath.Join(dir, "nope"), []string{`invalid mount config for type "bind": bind source path does not exist: ` + filepath.Join(dir, "nope")}},
		{"a source outside the shared directories", "/etc", []string{"bind source /etc is outside the directories this edge shares with containers", "--bind-root /etc"}},
		{"a symlink out of the shared directories", link, []string{"bind source " + link + " (a symlink to /etc) is outside the directories"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			marker := "ran-" + strings.ReplaceAll(tc.name, " ", "-")
			run(t, e, step{args: []string{"run", "--rm", "-v", tc.source + ":/host", "-v", dir + ":/out", "--entrypoint", "sh", "@img@", "-c", "touch /out/" + marker},
				code: 125, errHas: tc.errHas}, img)
			if _, err := os.Stat(filepath.Join(dir, marker)); err == nil {
				t.Error("main ran")
			}
		})
	}
}

func mustWrite(t *testing.T, p, body string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

func readFile(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Error(err)
	}
	return string(b)
}
