package binds

import (
	"archive/tar"
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"syscall"

	"github.com/sockerless/sockerless/agent/archive"
	"github.com/sockerless/sockerless/agent/hub"
)

// copyBuffer is how much of a tar is gathered before it goes to the
// agent: a flow-control window's quarter, as the mux grants credit.
const copyBuffer = 64 << 10

// putTree copies b's source into the container: one tar, put at "/",
// whose entries are named for the target, so the target and its
// missing parents are made as the archive is extracted, and the target
// takes the source's mode as a bind mount shows it.
func putTree(ctx context.Context, sess *hub.Session, b copied) error {
	pr, pw := io.Pipe()
	go func() { pw.CloseWithError(renamed(pw, b)) }()
	err := sess.ArchivePut(ctx, "/", pr, false)
	pr.CloseWithError(io.ErrClosedPipe)
	return err
}

// renamed writes the tar of b's source with its top entry named for
// b's target. archive.Write records symlinks as links: a link in the
// source that points out of it is copied as that link, never followed.
func renamed(w io.Writer, b copied) error {
	src := b.Source
	if b.dir {
		src += "/." // the directory's contents, top entry "./"
	}
	pr, pw := io.Pipe()
	go func() { pw.CloseWithError(archive.Write(pw, archive.OS{}, src)) }()
	defer pr.CloseWithError(io.ErrClosedPipe)
	// Whole frames: unbuffered, each header and each small file would be
	// a message of its own to the agent.
	bw := bufio.NewWriterSize(w, copyBuffer)
	tr, tw := tar.NewReader(pr), tar.NewWriter(bw)
	top := targetName(b.Target)
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			if err := tw.Close(); err != nil {
				return err
			}
			return bw.Flush()
		}
		if err != nil {
			return err
		}
		// A directory's entries are "./" and its children's relative
		// names; a file's one entry is its base name.
		name := top
		if rel := path.Clean(hdr.Name); b.dir && rel != "." {
			name = top + "/" + rel
		}
		if hdr.Typeflag == tar.TypeDir {
			name += "/"
		}
		hdr.Name = name
		if err := tw.WriteHeader(hdr); err != nil {
			return err
		}
		if _, err := io.Copy(tw, tr); err != nil {
			return err
		}
	}
}

// getTree copies the container's target back into b's source.
func getTree(ctx context.Context, sess *hub.Session, b copied) error {
	if !b.dir {
		return getFile(ctx, sess, b)
	}
	_, rc, err := sess.ArchiveGet(ctx, path.Clean(b.Target)+"/.")
	if err != nil {
		return err
	}
	defer rc.Close()
	// Extract confines what it writes to the source: no entry climbs
	// out with "..", and none is written through a symlink that leads
	// out of it, whether the tar planted it or it was there.
	return archive.Extract(rc, archive.OS{}, b.Source, false)
}

// getFile copies a file target back into the file b's source names,
// in place, so the source keeps its inode (editors' and watchers' view).
func getFile(ctx context.Context, sess *hub.Session, b copied) error {
	_, rc, err := sess.ArchiveGet(ctx, b.Target)
	if err != nil {
		return err
	}
	defer rc.Close()
	tr := tar.NewReader(rc)
	hdr, err := tr.Next()
	if err != nil {
		return err
	}
	if hdr.Typeflag != tar.TypeReg {
		return fmt.Errorf("the container made %s something else than a file", b.Target)
	}
	f, err := os.OpenFile(b.Source, os.O_WRONLY|os.O_TRUNC|syscall.O_NOFOLLOW, 0)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, tr); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
