package agent

import (
	"archive/tar"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"

	"github.com/sockerless/sockerless/agent/proto"
)

// hostPath maps an absolute container path through the runtime.
func (a *agent) hostPath(p string) (string, error) {
	if !path.IsAbs(p) {
		return "", fmt.Errorf("%w: path %q is not absolute", proto.ErrInvalid, p)
	}
	return a.cfg.Runtime.HostPath(p)
}

// statPath describes host (the container's p) without following a final
// symlink, as Docker's archive stat does.
func statPath(p, host string) (proto.PathStat, error) {
	fi, err := os.Lstat(host)
	if errors.Is(err, fs.ErrNotExist) {
		return proto.PathStat{}, fmt.Errorf("path %s: %w", p, proto.ErrNotFound)
	}
	if err != nil {
		return proto.PathStat{}, err
	}
	st := proto.PathStat{Name: path.Base(p), Size: fi.Size(), Mode: uint32(fi.Mode()), Mtime: fi.ModTime()}
	if fi.Mode()&fs.ModeSymlink != 0 {
		if st.LinkTarget, err = os.Readlink(host); err != nil {
			return proto.PathStat{}, err
		}
	}
	return st, nil
}

func (a *agent) serveStat(ch *proto.Channel, p string) error {
	host, err := a.hostPath(p)
	if err != nil {
		return err
	}
	st, err := statPath(p, host)
	if err != nil {
		return err
	}
	return ch.SendJSON(proto.TypeAck, st)
}

// serveArchiveGet answers the stat, then streams a tar of the path whose
// top entry is the path's base name, as `docker cp` expects.
func (a *agent) serveArchiveGet(ch *proto.Channel, p string) error {
	host, err := a.hostPath(p)
	if err != nil {
		return err
	}
	st, err := statPath(p, host)
	if err != nil {
		return err
	}
	if err := ch.SendJSON(proto.TypeAck, st); err != nil {
		return err
	}
	tw := tar.NewWriter(ch.Writer(a.ctx, proto.TypeStdout))
	if err := writeTree(tw, host, tarBase(p)); err != nil {
		if errors.Is(err, proto.ErrClosed) {
			return nil // the edge stopped reading; nobody to tell
		}
		return fmt.Errorf("archiving %s: %w", p, err)
	}
	return tw.Close()
}

// tarBase is the name of the top entry: the last element of p, "." for
// a path ending in "/." (copy the directory's contents).
func tarBase(p string) string {
	if b := path.Base(p); b != "/" {
		return b
	}
	return "."
}

// writeTree adds root (not following symlinks) under the name base.
func writeTree(tw *tar.Writer, root, base string) error {
	return filepath.WalkDir(root, func(host string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(root, host)
		if err != nil {
			return err
		}
		name := base
		if rel != "." {
			name = path.Join(base, filepath.ToSlash(rel))
		}
		return addEntry(tw, host, name, d)
	})
}

func addEntry(tw *tar.Writer, host, name string, d fs.DirEntry) error {
	fi, err := d.Info()
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
		// Sockets and the like have no tar form; `docker cp` skips them too.
		return nil
	}
	hdr.Name = name
	if fi.IsDir() {
		hdr.Name += "/"
	}
	if err := tw.WriteHeader(hdr); err != nil {
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
	// Copy exactly the size in the header, even if the file grows.
	_, err = io.CopyN(tw, f, hdr.Size)
	return err
}

// serveArchivePut extracts the tar arriving as stdin frames into the
// directory at the path, then acks.
func (a *agent) serveArchivePut(ch *proto.Channel, open proto.Open) error {
	host, err := a.hostPath(open.Path)
	if err != nil {
		return err
	}
	fi, err := os.Stat(host)
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("path %s: %w", open.Path, proto.ErrNotFound)
	}
	if err != nil {
		return err
	}
	if !fi.IsDir() {
		return fmt.Errorf("%w: extraction point %s is not a directory", proto.ErrInvalid, open.Path)
	}
	pr, pw := io.Pipe()
	go func() {
		for {
			f, err := ch.Recv(a.ctx)
			switch {
			case err != nil:
				pw.CloseWithError(err)
				return
			case f.Type == proto.TypeStdin:
				if _, err := pw.Write(f.Payload); err != nil {
					return // extraction stopped reading
				}
			case f.Type == proto.TypeStdinClose:
				pw.Close()
				return
			case f.Type == proto.TypeClose:
				pw.CloseWithError(fmt.Errorf("%w: archive upload abandoned", proto.ErrClosed))
				return
			}
		}
	}()
	err = extract(tar.NewReader(pr), host, open.NoOverwriteDirNonDir)
	pr.CloseWithError(io.ErrClosedPipe)
	if err != nil {
		return err
	}
	return ch.Send(proto.TypeAck, nil)
}
