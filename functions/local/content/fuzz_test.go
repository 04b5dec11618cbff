package content

import (
	"archive/tar"
	"bytes"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// layerTar builds a layer from headers; a regular file's body is its name.
func layerTar(hdrs ...*tar.Header) []byte {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, h := range hdrs {
		body := ""
		if h.Typeflag == tar.TypeReg {
			body = h.Name
			h.Size = int64(len(body))
		}
		if h.Mode == 0 {
			h.Mode = 0o755
		}
		_ = tw.WriteHeader(h)
		_, _ = io.WriteString(tw, body)
	}
	_ = tw.Close()
	return buf.Bytes()
}

func fReg(name string) *tar.Header { return &tar.Header{Typeflag: tar.TypeReg, Name: name} }
func fDir(name string) *tar.Header {
	return &tar.Header{Typeflag: tar.TypeDir, Name: name, Mode: 0o700}
}
func fSym(n, to string) *tar.Header {
	return &tar.Header{Typeflag: tar.TypeSymlink, Name: n, Linkname: to}
}
func fLink(n, to string) *tar.Header {
	return &tar.Header{Typeflag: tar.TypeLink, Name: n, Linkname: to}
}
func fWhite(dir, n string) *tar.Header { return fReg(dir + ".wh." + n) }

// treeState records type, mode, mtime, contents and link targets under dir.
func treeState(t *testing.T, dir string) map[string]string {
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
		v := fi.Mode().String() + " " + fi.ModTime().UTC().Format(time.RFC3339Nano)
		if fi.Mode().IsRegular() {
			b, _ := os.ReadFile(p)
			v += " " + string(b)
		} else if fi.Mode()&fs.ModeSymlink != 0 {
			l, _ := os.Readlink(p)
			v += " -> " + l
		}
		out[strings.TrimPrefix(p, dir)] = v
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// FuzzUnpack: two layers of arbitrary bytes, applied in order, never
// panic and never touch anything beside the root, whatever their
// whiteouts, links and symlinks say.
func FuzzUnpack(f *testing.F) {
	seeds := [][2][]byte{
		{layerTar(fDir("a/"), fReg("a/f"), fSym("a/l", "f"), fLink("a/h", "a/f")), layerTar(fWhite("a/", "f"), fReg("a/.wh..wh..opq"))},
		{layerTar(fReg("../escape"), fReg("/abs"), fLink("h", "../outside/keep")), nil},
		{layerTar(fSym("l", "../outside"), fReg("l/planted"), fSym("m", "/"), fReg("m/x")), layerTar(fWhite("l/", "keep"), fWhite("", "l"))},
		// A directory recorded for its mode, then replaced by a link out:
		// finishing must not chmod through the link.
		{layerTar(fDir("a/"), fDir("a/b/"), fSym("a", "../outside")), nil},
		{layerTar(fDir("d/"), fSym("d/up", "../../outside"), fReg("d/up/keep")), layerTar(fReg("d/up/.wh..wh..opq"))},
		{layerTar(fSym("x", "y"), fSym("y", "x"), fReg("x/loop")), nil},
		{layerTar(fLink("hl", "hl")), layerTar(fLink("a", "../../outside/keep"))},
		{[]byte("not a tar"), {}},
	}
	for _, s := range seeds {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, layer1, layer2 []byte) {
		tmp := t.TempDir()
		root := filepath.Join(tmp, "root")
		outside := filepath.Join(tmp, "outside")
		for _, d := range []string{root, filepath.Join(outside, "b")} {
			if err := os.MkdirAll(d, 0o755); err != nil {
				t.Fatal(err)
			}
		}
		if err := os.WriteFile(filepath.Join(outside, "keep"), []byte("keep"), 0o644); err != nil {
			t.Fatal(err)
		}
		before := treeState(t, outside)
		u := newUnpacker(root)
		for _, l := range [][]byte{layer1, layer2} {
			if err := u.apply(bytes.NewReader(l)); err != nil {
				break // a refused layer is fine; an escape is not
			}
		}
		_ = u.finish()
		after := treeState(t, outside)
		for p, v := range before {
			if after[p] != v {
				t.Errorf("outside%s changed: %q -> %q", p, v, after[p])
			}
		}
		for p, v := range after {
			if _, ok := before[p]; !ok {
				t.Errorf("outside%s appeared: %q", p, v)
			}
		}
		top, err := os.ReadDir(tmp)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range top {
			if e.Name() != "root" && e.Name() != "outside" {
				t.Errorf("%s appeared beside the root", e.Name())
			}
		}
		_ = makeWritable(tmp) // let t.TempDir clean read-only trees
	})
}
