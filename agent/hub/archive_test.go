package hub_test

import (
	"archive/tar"
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/sockerless/sockerless/agent/hub"
	"github.com/sockerless/sockerless/agent/proto"
)

func archiveSession(t *testing.T) (*harness, *hub.Session) {
	h := newHarness(t, testFns)
	h.startAgent("c1", tokenFor("c1"), proto.ProcessSpec{Args: []string{"waitsig"}})
	return h, h.session(t, "c1")
}

func TestArchiveLargeRoundTrip(t *testing.T) {
	h, s := archiveSession(t)
	// 42 MB through tar and a WebSocket both ways took 14 s under -race
	// on a saturated machine: the bound only stops a hang.
	ctx, cancel := context.WithTimeout(context.Background(), 8*testTimeout)
	defer cancel()
	root := h.rt.root
	big := make([]byte, 21<<20)
	_, _ = rand.Read(big)
	mustWrite(t, filepath.Join(root, "data", "big.bin"), big)
	mustWrite(t, filepath.Join(root, "data", "sub", "small.txt"), []byte("small"))
	if err := os.Symlink("sub/small.txt", filepath.Join(root, "data", "link")); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(root, "dest"), 0o755); err != nil {
		t.Fatal(err)
	}

	st, rc, err := s.ArchiveGet(ctx, "/data")
	if err != nil {
		t.Fatal(err)
	}
	if st.Name != "data" || !fs.FileMode(st.Mode).IsDir() {
		t.Errorf("stat %+v, want directory named data", st)
	}
	// Stream the download straight into the upload: both directions at once.
	if err := s.ArchivePut(ctx, "/dest", rc, false); err != nil {
		t.Fatal(err)
	}
	rc.Close()

	got, err := os.ReadFile(filepath.Join(root, "dest", "data", "big.bin"))
	if err != nil || !bytes.Equal(got, big) {
		t.Fatalf("big.bin after round trip: %d bytes, equal=%v, err=%v", len(got), bytes.Equal(got, big), err)
	}
	if got, _ := os.ReadFile(filepath.Join(root, "dest", "data", "link")); string(got) != "small" {
		t.Errorf("symlink did not survive: %q", got)
	}
	lst, err := s.ArchiveStat(ctx, "/dest/data/link")
	if err != nil || lst.LinkTarget != "sub/small.txt" {
		t.Errorf("stat of link = %+v, %v", lst, err)
	}
}

func TestArchivePathNotFound(t *testing.T) {
	_, s := archiveSession(t)
	ctx := context.Background()
	if _, err := s.ArchiveStat(ctx, "/nope"); !errors.Is(err, proto.ErrNotFound) {
		t.Errorf("stat: %v, want ErrNotFound", err)
	}
	if _, _, err := s.ArchiveGet(ctx, "/nope"); !errors.Is(err, proto.ErrNotFound) {
		t.Errorf("get: %v, want ErrNotFound", err)
	}
	if err := s.ArchivePut(ctx, "/nope", tarOf(t, entry{name: "f", body: "x"}), false); !errors.Is(err, proto.ErrNotFound) {
		t.Errorf("put: %v, want ErrNotFound", err)
	}
}

func TestArchivePutStaysInsideAndHonoursNoOverwrite(t *testing.T) {
	h, s := archiveSession(t)
	ctx := context.Background()
	root := h.rt.root
	dest := filepath.Join(root, "dest")
	if err := os.MkdirAll(filepath.Join(dest, "dir"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name    string
		tar     []entry
		noOver  bool
		wantErr error
		check   string // a path under root that must exist afterwards
		outside string // a path that must not exist
	}{
		{name: "dotdot is confined", tar: []entry{{name: "../../escaped.txt", body: "x"}},
			check: "dest/escaped.txt", outside: "../escaped.txt"},
		{name: "symlink out is not followed", tar: []entry{{name: "evil", link: "../../.."}, {name: "evil/pwned", body: "x"}},
			wantErr: proto.ErrInvalid, outside: "../pwned"},
		{name: "file over dir refused", tar: []entry{{name: "dir", body: "x"}}, noOver: true, wantErr: proto.ErrInvalid},
		{name: "file over dir replaced", tar: []entry{{name: "dir", body: "x"}}, check: "dest/dir"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := s.ArchivePut(ctx, "/dest", tarOf(t, tc.tar...), tc.noOver)
			if tc.wantErr == nil && err != nil || tc.wantErr != nil && !errors.Is(err, tc.wantErr) {
				t.Fatalf("ArchivePut = %v, want %v", err, tc.wantErr)
			}
			if tc.check != "" {
				if _, err := os.Lstat(filepath.Join(root, tc.check)); err != nil {
					t.Error(err)
				}
			}
			if tc.outside != "" {
				if _, err := os.Lstat(filepath.Join(root, tc.outside)); err == nil {
					t.Errorf("%s was written outside the extraction directory", tc.outside)
				}
			}
		})
	}
}

type entry struct{ name, body, link string }

func tarOf(t *testing.T, entries ...entry) io.Reader {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, e := range entries {
		hdr := &tar.Header{Name: e.name, Mode: 0o644, Size: int64(len(e.body)), Typeflag: tar.TypeReg}
		if e.link != "" {
			hdr = &tar.Header{Name: e.name, Mode: 0o777, Linkname: e.link, Typeflag: tar.TypeSymlink}
		}
		if err := tw.WriteHeader(hdr); err != nil {
			t.Fatal(err)
		}
		_, _ = tw.Write([]byte(e.body))
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return &buf
}

func mustWrite(t *testing.T, path string, b []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}
