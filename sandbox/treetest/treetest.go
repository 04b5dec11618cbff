// Package treetest holds test helpers for code that writes host
// directory trees and must stay inside a root (layer unpacking, docker
// cp's extraction, the sandbox's confined filesystem): tar streams built
// from headers, snapshots of a tree that show whether anything in it
// changed, and a loop that races a directory against a symlink swap.
package treetest

import (
	"archive/tar"
	"bytes"
	"crypto/sha256"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"testing"
)

// Tar builds a tar stream from headers. A regular file's body is its
// name; a header without a mode gets 0755.
func Tar(hdrs ...*tar.Header) []byte {
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

// Reg is a regular file's header.
func Reg(name string) *tar.Header { return &tar.Header{Typeflag: tar.TypeReg, Name: name} }

// Dir is a directory's header.
func Dir(name string) *tar.Header { return &tar.Header{Typeflag: tar.TypeDir, Name: name} }

// Symlink is the header of a symlink name pointing at to.
func Symlink(name, to string) *tar.Header {
	return &tar.Header{Typeflag: tar.TypeSymlink, Name: name, Linkname: to}
}

// Link is the header of a hard link name to the entry to.
func Link(name, to string) *tar.Header {
	return &tar.Header{Typeflag: tar.TypeLink, Name: name, Linkname: to}
}

// Whiteout is the OCI whiteout of name in dir (which ends in "/", or is
// "" for the root).
func Whiteout(dir, name string) *tar.Header { return Reg(dir + ".wh." + name) }

// Snapshot maps every entry under dir (dir itself as ".") to its mode,
// size, modification time and a hash of its content or link target.
func Snapshot(t testing.TB, dir string) map[string]string {
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
		switch {
		case fi.Mode()&fs.ModeSymlink != 0:
			s, err := os.Readlink(p)
			if err != nil {
				return err
			}
			body = []byte(s)
		case fi.Mode().IsRegular():
			if body, err = os.ReadFile(p); err != nil {
				return err
			}
		}
		rel, _ := filepath.Rel(dir, p)
		out[rel] = fmt.Sprintf("%v %d %d %x", fi.Mode(), fi.Size(), fi.ModTime().UnixNano(), sha256.Sum256(body))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// Diff lists, sorted, the entries added, removed or changed between two
// snapshots of a tree; none when it is as it was.
func Diff(before, after map[string]string) []string {
	var out []string
	for k, v := range before {
		if w, ok := after[k]; !ok {
			out = append(out, "removed "+k)
		} else if w != v {
			out = append(out, fmt.Sprintf("changed %s: %s -> %s", k, v, w))
		}
	}
	for k := range after {
		if _, ok := before[k]; !ok {
			out = append(out, "added "+k)
		}
	}
	sort.Strings(out)
	return out
}

// Unchanged fails t when dir differs from the snapshot before.
func Unchanged(t testing.TB, dir string, before map[string]string) {
	t.Helper()
	if diff := Diff(before, Snapshot(t, dir)); len(diff) > 0 {
		t.Errorf("%s changed: %v", dir, diff)
	}
}
