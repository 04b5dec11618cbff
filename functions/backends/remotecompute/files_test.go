package remotecompute_test

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sockerless/sockerless/functions/backends/remotecompute"
	"github.com/sockerless/sockerless/functions/core"
)

// dirVolumes keeps each volume in a directory of root, which the test
// (as the control plane) sees: real storage, as a mounted file system.
type dirVolumes struct{ root string }

func (v dirVolumes) Volume(_ context.Context, name string) (string, error) {
	return "/volumes/" + name, nil
}

func (v dirVolumes) RemoveVolume(_ context.Context, name string) error {
	return os.RemoveAll(filepath.Join(v.root, name))
}

func (v dirVolumes) LocalDir(_ context.Context, name string) (string, error) {
	dir := filepath.Join(v.root, name)
	return dir, os.MkdirAll(dir, 0o777)
}

func (v dirVolumes) StagedDir(id string) (string, string) {
	return "/staged/" + id, filepath.Join(v.root, "staged", id)
}

func tarOf(t *testing.T, name, content string) io.Reader {
	t.Helper()
	var b bytes.Buffer
	tw := tar.NewWriter(&b)
	if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(content))}); err != nil {
		t.Fatal(err)
	}
	tw.Write([]byte(content))
	tw.Close()
	return &b
}

// TestFilesOfAStoppedContainer proves docker cp into and out of a
// created container reaches its volumes as the container will see them,
// and is refused, saying why, where it cannot.
func TestFilesOfAStoppedContainer(t *testing.T) {
	root := t.TempDir()
	base := remotecompute.NewBase("ecs", "", "").WithVolumes(dirVolumes{root})
	w := core.Workload{ID: "c1", Mounts: []core.Mount{
		{Volume: "work", Target: "/builds/demo"},
		{Volume: "cache", Target: "/builds/demo/cache"},
		{Volume: "conf", Target: "/etc/conf", ReadOnly: true},
	}}
	f, err := base.Files(t.Context(), w)
	if err != nil {
		t.Fatal(err)
	}
	outside := t.TempDir() // where a followed symlink would write
	if err := os.Symlink(outside, filepath.Join(root, "work", "escape")); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, dir, file string
		landsIn         string // the file under root, "" when refused
		refused         string
	}{
		{"a copy into a volume lands in its directory", "/builds/demo", "src/a.txt", "work/src/a.txt", ""},
		{"the deepest volume holds a path", "/builds/demo/cache", "lib.txt", "cache/lib.txt", ""},
		{"a path outside the volumes is refused", "/", "gcl-cmd", "", "only in its named volumes, and / is not among them"},
		{"a read-only volume is refused", "/etc/conf", "x", "", "mounted volume is marked read-only"},
		{"a symlink in a volume is not followed", "/builds/demo/escape", "passwd", "", "/builds/demo/escape is a symlink"},
		{"nor is one on the way", "/builds/demo/escape/sub", "passwd", "", "/builds/demo/escape is a symlink"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := f.Put(tc.dir, tarOf(t, tc.file, "data\n"), false)
			if tc.refused != "" {
				if err == nil || !strings.Contains(err.Error(), tc.refused) {
					t.Fatalf("Put: %v, want an error saying %q", err, tc.refused)
				}
				return
			}
			if err != nil {
				t.Fatalf("Put: %v", err)
			}
			if b, err := os.ReadFile(filepath.Join(root, tc.landsIn)); err != nil || string(b) != "data\n" {
				t.Errorf("%s: %q, %v", tc.landsIn, b, err)
			}
		})
	}
	t.Run("a path outside the volumes is refused as unsupported", func(t *testing.T) {
		if _, err := f.Stat("/gcl-cmd"); !errors.Is(err, core.ErrUnsupported) {
			t.Errorf("Stat: %v, want ErrUnsupported", err)
		}
	})
	t.Run("a copy out names the container's path", func(t *testing.T) {
		var b bytes.Buffer
		st, err := f.Get("/builds/demo/src", &b)
		if err != nil || st.Name != "src" {
			t.Fatalf("Get: %+v, %v", st, err)
		}
		tr := tar.NewReader(&b)
		var names []string
		for h, err := tr.Next(); err == nil; h, err = tr.Next() {
			names = append(names, h.Name)
		}
		if strings.Join(names, " ") != "src/ src/a.txt" {
			t.Errorf("entries %q, want src/ and src/a.txt", names)
		}
	})
	if left, _ := os.ReadDir(outside); len(left) > 0 {
		t.Errorf("a copy escaped through the symlink: %v", left)
	}
}

// TestFilesWithoutLocalVolumes proves a backend whose control plane does
// not see its volumes' storage says it cannot reach the files.
func TestFilesWithoutLocalVolumes(t *testing.T) {
	base := remotecompute.NewBase("lambda", "", "")
	_, err := base.Files(t.Context(), core.Workload{ID: "c1"})
	if !errors.Is(err, core.ErrUnsupported) || !strings.Contains(err.Error(), "lambda backend cannot reach a stopped container's files") {
		t.Errorf("Files: %v", err)
	}
}

// TestFilesStagedOutsideTheVolumes proves that, where the backend
// stages, a copy into / of a created container is kept for its agent
// (as gitlab-ci-local copies its job script to /gcl-cmd), and what was
// staged can be read back, while the image's own directories, unknown
// here, are refused.
func TestFilesStagedOutsideTheVolumes(t *testing.T) {
	root := t.TempDir()
	base := remotecompute.NewBase("ecs", "", "").WithVolumes(dirVolumes{root}).WithStaging()
	f, err := base.Files(t.Context(), core.Workload{ID: "c1", Mounts: []core.Mount{{Volume: "work", Target: "/builds"}}})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Put("/", tarOf(t, "gcl-cmd", "echo hi\n"), false); err != nil {
		t.Fatalf("Put /: %v", err)
	}
	if b, err := os.ReadFile(filepath.Join(root, "staged", "c1", "gcl-cmd")); err != nil || string(b) != "echo hi\n" {
		t.Errorf("staged gcl-cmd: %q, %v", b, err)
	}
	if st, err := f.Stat("/gcl-cmd"); err != nil || st.Name != "gcl-cmd" {
		t.Errorf("Stat of the staged file: %+v, %v", st, err)
	}
	if err := f.Put("/builds", tarOf(t, "a.txt", "a"), false); err != nil {
		t.Errorf("Put into the volume: %v", err)
	}
	if _, err := os.Stat(filepath.Join(root, "work", "a.txt")); err != nil {
		t.Errorf("the volume's copy was staged instead: %v", err)
	}
	err = f.Put("/usr/bin", tarOf(t, "tool", "x"), false)
	if !errors.Is(err, core.ErrUnsupported) || !strings.Contains(err.Error(), "in / and in what was copied there, and /usr/bin is not among them") {
		t.Errorf("Put into an image directory: %v", err)
	}
}
