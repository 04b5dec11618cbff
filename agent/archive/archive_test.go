package archive

import (
	"archive/tar"
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/sockerless/sockerless/agent/proto"
)

func names(t *testing.T, b []byte) []string {
	t.Helper()
	var out []string
	tr := tar.NewReader(bytes.NewReader(b))
	for {
		h, err := tr.Next()
		if err == io.EOF {
			sort.Strings(out)
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, h.Name)
	}
}

func tree(t *testing.T) string {
	dir := t.TempDir()
	must(t, os.MkdirAll(filepath.Join(dir, "src/sub"), 0o755))
	must(t, os.WriteFile(filepath.Join(dir, "src/a.txt"), []byte("alpha"), 0o640))
	must(t, os.WriteFile(filepath.Join(dir, "src/sub/b.txt"), []byte("beta"), 0o600))
	must(t, os.Symlink("a.txt", filepath.Join(dir, "src/link")))
	return dir
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestWriteNamesEntriesLikeDockerCp(t *testing.T) {
	dir := tree(t)
	tests := []struct {
		name string
		path string
		want []string
	}{
		{"directory keeps its name", "/src", []string{"src/", "src/a.txt", "src/link", "src/sub/", "src/sub/b.txt"}},
		{"trailing /. copies the contents", "/src/.", []string{"./", "a.txt", "link", "sub/", "sub/b.txt"}},
		{"single file", "/src/a.txt", []string{"a.txt"}},
		{"symlink is not followed", "/src/link", []string{"link"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			must(t, Write(&buf, OS{}, dir+tt.path))
			if got := names(t, buf.Bytes()); strings.Join(got, ",") != strings.Join(tt.want, ",") {
				t.Errorf("entries %v, want %v", got, tt.want)
			}
		})
	}
}

func TestStat(t *testing.T) {
	dir := tree(t)
	st, err := Stat(OS{}, dir+"/src/link")
	if err != nil || st.Name != "link" || st.LinkTarget != "a.txt" {
		t.Errorf("stat link = %+v, %v", st, err)
	}
	if _, err := Stat(OS{}, dir+"/nope"); !errors.Is(err, proto.ErrNotFound) {
		t.Errorf("missing path: %v, want ErrNotFound", err)
	}
	if _, err := Stat(OS{}, "relative"); !errors.Is(err, proto.ErrInvalid) {
		t.Errorf("relative path: %v, want ErrInvalid", err)
	}
}

func TestRoundTripPreservesContentModesAndLinks(t *testing.T) {
	dir := tree(t)
	var buf bytes.Buffer
	must(t, Write(&buf, OS{}, dir+"/src"))
	dst := filepath.Join(dir, "dst")
	must(t, os.Mkdir(dst, 0o755))
	must(t, Extract(&buf, OS{}, dst, false))
	b, err := os.ReadFile(filepath.Join(dst, "src/sub/b.txt"))
	if err != nil || string(b) != "beta" {
		t.Fatalf("content %q, %v", b, err)
	}
	if fi, _ := os.Stat(filepath.Join(dst, "src/a.txt")); fi.Mode().Perm() != 0o640 {
		t.Errorf("mode %v, want 0640", fi.Mode().Perm())
	}
	if l, _ := os.Readlink(filepath.Join(dst, "src/link")); l != "a.txt" {
		t.Errorf("symlink target %q", l)
	}
}

func tarOf(t *testing.T, entries ...*tar.Header) *bytes.Buffer {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, h := range entries {
		body := ""
		if h.Typeflag == tar.TypeReg {
			body = "data:" + h.Name
			h.Size = int64(len(body))
		}
		must(t, tw.WriteHeader(h))
		if body != "" {
			_, _ = tw.Write([]byte(body))
		}
	}
	must(t, tw.Close())
	return &buf
}

func TestExtractStaysInsideAndHonoursNoOverwrite(t *testing.T) {
	tests := []struct {
		name    string
		entries []*tar.Header
		noOver  bool
		check   func(t *testing.T, root, dst string, err error)
	}{
		{
			name:    "dot-dot names are cleaned into the directory",
			entries: []*tar.Header{{Name: "../../escape.txt", Typeflag: tar.TypeReg, Mode: 0o644}},
			check: func(t *testing.T, root, dst string, err error) {
				must(t, err)
				if _, err := os.Stat(filepath.Join(dst, "escape.txt")); err != nil {
					t.Errorf("entry not placed inside: %v", err)
				}
				if _, err := os.Stat(filepath.Join(root, "escape.txt")); err == nil {
					t.Error("entry escaped the extraction directory")
				}
			},
		},
		{
			name:    "hard link becomes a copy of the earlier entry",
			entries: []*tar.Header{{Name: "f", Typeflag: tar.TypeReg, Mode: 0o644}, {Name: "g", Typeflag: tar.TypeLink, Linkname: "f", Mode: 0o644}},
			check: func(t *testing.T, root, dst string, err error) {
				must(t, err)
				if b, _ := os.ReadFile(filepath.Join(dst, "g")); string(b) != "data:f" {
					t.Errorf("hard link content %q", b)
				}
			},
		},
		{
			name:    "dir over file refused with noOverwriteDirNonDir",
			entries: []*tar.Header{{Name: "file", Typeflag: tar.TypeDir, Mode: 0o755}},
			noOver:  true,
			check: func(t *testing.T, root, dst string, err error) {
				if !errors.Is(err, proto.ErrInvalid) {
					t.Errorf("err %v, want ErrInvalid", err)
				}
			},
		},
		{
			name:    "dir over file replaces it without the flag",
			entries: []*tar.Header{{Name: "file", Typeflag: tar.TypeDir, Mode: 0o755}},
			check: func(t *testing.T, root, dst string, err error) {
				must(t, err)
				if fi, err := os.Stat(filepath.Join(dst, "file")); err != nil || !fi.IsDir() {
					t.Errorf("not replaced by a directory: %v", err)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			dst := filepath.Join(root, "a", "b")
			must(t, os.MkdirAll(dst, 0o755))
			must(t, os.WriteFile(filepath.Join(dst, "file"), []byte("x"), 0o644))
			err := Extract(tarOf(t, tt.entries...), OS{}, dst, tt.noOver)
			tt.check(t, root, dst, err)
		})
	}
}

func TestExtractIntoMissingOrFileTarget(t *testing.T) {
	dir := tree(t)
	if err := Extract(tarOf(t), OS{}, dir+"/nope", false); !errors.Is(err, proto.ErrNotFound) {
		t.Errorf("missing dir: %v", err)
	}
	if err := Extract(tarOf(t), OS{}, dir+"/src/a.txt", false); !errors.Is(err, proto.ErrInvalid) {
		t.Errorf("file as target: %v", err)
	}
}
