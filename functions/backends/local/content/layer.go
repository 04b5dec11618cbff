package content

import (
	"archive/tar"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/sockerless/sockerless/sandbox/unpack"
)

// metaPrefix starts names the sandbox's layering keeps for itself (the
// opaque marker aside): copy-up temporaries, never part of a layer.
const metaPrefix = ".wh..wh."

// WriteLayer writes upper, a container's writable directory in the
// sandbox's layering (overlayfs semantics with OCI whiteout files), as
// an uncompressed OCI layer over lower, the image's root. exclude names
// root-relative paths ("etc/hostname") the runtime wrote for itself,
// which, as with Docker's bind-mounted files, are not the container's
// changes. A directory that lower has too is written only when
// something under it is, so excluded files leave no trace.
//
// Ownership is written as root's: the sandbox runs as the host user,
// and in the image the files belong to the container's root.
func WriteLayer(w io.Writer, upper, lower string, exclude map[string]bool) error {
	tw := tar.NewWriter(w)
	lw := layerWriter{tw: tw, upper: upper, lower: lower, exclude: exclude}
	if err := lw.dir("", nil); err != nil {
		return err
	}
	return tw.Close()
}

type layerWriter struct {
	tw           *tar.Writer
	upper, lower string
	exclude      map[string]bool
}

// pending is a chain of directory headers not written yet.
type pending struct {
	parent  *pending
	hdr     *tar.Header
	written bool
}

func (p *pending) flush(tw *tar.Writer) error {
	if p == nil || p.written {
		return nil
	}
	if err := p.parent.flush(tw); err != nil {
		return err
	}
	p.written = true
	return tw.WriteHeader(p.hdr)
}

func (lw *layerWriter) inLower(rel string) bool {
	if lw.lower == "" {
		return false
	}
	_, err := os.Lstat(filepath.Join(lw.lower, filepath.FromSlash(rel)))
	return err == nil
}

// dir writes the entries of upper directory rel, whose header (nil for
// the root) waits in parent until one of them is written.
func (lw *layerWriter) dir(rel string, parent *pending) error {
	ents, err := os.ReadDir(filepath.Join(lw.upper, filepath.FromSlash(rel)))
	if err != nil {
		return err
	}
	names := map[string]bool{}
	for _, e := range ents {
		names[e.Name()] = true
	}
	sort.Slice(ents, func(i, j int) bool { return ents[i].Name() < ents[j].Name() })
	for _, e := range ents {
		name := e.Name()
		child := path.Join(rel, name)
		switch {
		case lw.exclude[child]:
			continue
		case name == unpack.OpaqueMarker:
			if err := parent.flush(lw.tw); err != nil {
				return err
			}
			if err := lw.tw.WriteHeader(whiteoutHeader(child)); err != nil {
				return err
			}
			continue
		case strings.HasPrefix(name, metaPrefix):
			continue
		case strings.HasPrefix(name, unpack.WhiteoutPrefix):
			gone := strings.TrimPrefix(name, unpack.WhiteoutPrefix)
			if names[gone] {
				// The upper entry replaced the deleted one; for a
				// directory its opaque marker is written with it.
				continue
			}
			if err := parent.flush(lw.tw); err != nil {
				return err
			}
			if err := lw.tw.WriteHeader(whiteoutHeader(child)); err != nil {
				return err
			}
			continue
		}
		if err := lw.entry(child, names[unpack.WhiteoutPrefix+name], parent); err != nil {
			return err
		}
	}
	return nil
}

// entry writes one upper entry; replaced says a whiteout of the same
// name sits beside it, so a directory hides everything lower had there.
func (lw *layerWriter) entry(rel string, replaced bool, parent *pending) error {
	host := filepath.Join(lw.upper, filepath.FromSlash(rel))
	fi, err := os.Lstat(host)
	if err != nil {
		return err
	}
	link := ""
	if fi.Mode()&fs.ModeSymlink != 0 {
		if link, err = os.Readlink(host); err != nil {
			return err
		}
	}
	hdr, err := tar.FileInfoHeader(fi, link)
	if err != nil {
		return nil // sockets have no tar form
	}
	hdr.Name = rel
	hdr.Uid, hdr.Gid, hdr.Uname, hdr.Gname = 0, 0, "", ""
	hdr.Format = tar.FormatPAX
	if !fi.IsDir() {
		if err := parent.flush(lw.tw); err != nil {
			return err
		}
		if err := lw.tw.WriteHeader(hdr); err != nil {
			return err
		}
		if !fi.Mode().IsRegular() {
			return nil
		}
		f, err := os.Open(host)
		if err != nil {
			return err
		}
		defer f.Close()
		_, err = io.Copy(lw.tw, f)
		return err
	}
	hdr.Name += "/"
	me := &pending{parent: parent, hdr: hdr}
	if replaced || !lw.inLower(rel) {
		if err := me.flush(lw.tw); err != nil {
			return err
		}
	}
	if replaced {
		if _, err := os.Lstat(filepath.Join(host, unpack.OpaqueMarker)); err != nil {
			if err := lw.tw.WriteHeader(whiteoutHeader(path.Join(rel, unpack.OpaqueMarker))); err != nil {
				return err
			}
		}
	}
	return lw.dir(rel, me)
}

func whiteoutHeader(name string) *tar.Header {
	return &tar.Header{Typeflag: tar.TypeReg, Name: name, Mode: 0o644, Format: tar.FormatPAX}
}
