package coreutils

import (
	"archive/tar"
	"bufio"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/sockerless/sockerless/sandbox/command"
)

// tarOpts is a tar command line: the mode letter, flags and operands.
// Like busybox it takes "tar czf F DIR" as well as "tar -czf F DIR", and
// options after operands ("tar -xf F -C DIR").
type tarOpts struct {
	mode          byte // c, x or t
	gzip, verbose bool
	file, dir     string
	names         []string
}

func parseTar(args []string) (tarOpts, error) {
	o := tarOpts{file: "-"}
	if len(args) > 0 && args[0] != "" && args[0][0] != '-' {
		args = append([]string{"-" + args[0]}, args[1:]...)
	}
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			o.names = append(o.names, args[i+1:]...)
			break
		}
		if len(a) < 2 || a[0] != '-' {
			o.names = append(o.names, a)
			continue
		}
		for j := 1; j < len(a); j++ {
			switch c := a[j]; c {
			case 'c', 'x', 't':
				if o.mode != 0 && o.mode != c {
					return o, errors.New("only one of -c, -x, -t may be given")
				}
				o.mode = c
			case 'z':
				o.gzip = true
			case 'v':
				o.verbose = true
			case 'o', 'p':
				// Ownership is not kept and modes always are.
			case 'f', 'C':
				v := a[j+1:]
				if v == "" {
					if i+1 >= len(args) {
						return o, fmt.Errorf("option requires an argument -- '%c'", c)
					}
					i++
					v = args[i]
				}
				if c == 'f' {
					o.file = v
				} else {
					o.dir = v
				}
				j = len(a)
			default:
				return o, fmt.Errorf("invalid option -- '%c'", c)
			}
		}
	}
	if o.mode == 0 {
		return o, errors.New("need one of -c, -x, -t")
	}
	return o, nil
}

// tar -c|-x|-t [-zv] [-f FILE] [-C DIR] [NAME]...
func tarCmd(ctx context.Context, inv *command.Invocation) int {
	o, err := parseTar(inv.Args[1:])
	if err != nil {
		return usage(inv, err)
	}
	base := inv.Dir
	if o.dir != "" {
		base = inv.Abs(o.dir)
		if fi, err := inv.FS.Stat(base); err != nil || !fi.IsDir() {
			return inv.Errorf("can't change directory to '%s': %s", o.dir, errText(orNotDir(err)))
		}
	}
	t := tarRun{ctx: ctx, inv: inv, o: o, base: base, ids: newIDNames(inv)}
	if o.mode == 'c' {
		return t.create()
	}
	return t.read()
}

func orNotDir(err error) error {
	if err == nil {
		return syscall.ENOTDIR
	}
	return err
}

type tarRun struct {
	ctx  context.Context
	inv  *command.Invocation
	o    tarOpts
	base string // -C directory, absolute
	ids  idNames
}

func (t tarRun) create() int {
	if len(t.o.names) == 0 {
		return t.inv.Errorf("empty archive")
	}
	var out io.Writer = t.inv.Stdout
	verbose := t.inv.Stdout
	if t.o.file != "-" {
		f, err := t.inv.FS.OpenFile(t.inv.Abs(t.o.file), os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
		if err != nil {
			return t.inv.Errorf("can't open '%s': %s", t.o.file, errText(err))
		}
		defer f.Close()
		out = f
	} else {
		verbose = t.inv.Stderr // the archive owns stdout
	}
	bw := bufio.NewWriter(out)
	var zw *gzip.Writer
	var w io.Writer = bw
	if t.o.gzip {
		zw = gzip.NewWriter(bw)
		w = zw
	}
	tw := tar.NewWriter(w)
	status := 0
	for _, name := range t.o.names {
		if strings.HasPrefix(name, "/") {
			fmt.Fprintln(t.inv.Stderr, "tar: removing leading '/' from member names")
		}
		if err := t.add(tw, name, verbose); err != nil {
			fmt.Fprintf(t.inv.Stderr, "tar: %v\n", err)
			status = 1
		}
	}
	err := tw.Close()
	if zw != nil && err == nil {
		err = zw.Close()
	}
	if err == nil {
		err = bw.Flush()
	}
	if err != nil {
		return t.inv.Errorf("%s", errText(err))
	}
	return status
}

// add writes name (relative to -C) and, for a directory, its tree.
func (t tarRun) add(tw *tar.Writer, name string, verbose io.Writer) error {
	if err := t.ctx.Err(); err != nil {
		return err
	}
	p := path.Join(t.base, name)
	if path.IsAbs(name) {
		p = path.Clean(name)
	}
	fi, err := t.inv.FS.Lstat(p)
	if err != nil {
		return fmt.Errorf("%s: %s", name, errText(err))
	}
	link := ""
	if fi.Mode()&fs.ModeSymlink != 0 {
		if link, err = t.inv.FS.Readlink(p); err != nil {
			return fmt.Errorf("%s: %s", name, errText(err))
		}
	}
	h, err := tar.FileInfoHeader(fi, link)
	if err != nil {
		return fmt.Errorf("%s: %v", name, err)
	}
	h.Name = strings.TrimLeft(path.Clean(name), "/")
	if fi.IsDir() {
		h.Name += "/"
	}
	h.Mode = int64(unixPerm(fi.Mode()))
	st := command.StatOf(fi)
	h.Uid, h.Gid = st.UID, st.GID
	h.Uname, h.Gname = t.ids.user(h.Uid), t.ids.group(h.Gid)
	// Plain ustar, as busybox writes: whole-second mtime, no atime/ctime.
	h.ModTime, h.AccessTime, h.ChangeTime = fi.ModTime().Truncate(time.Second), time.Time{}, time.Time{}
	h.Format = tar.FormatUSTAR
	if len(h.Name) > 100 || len(link) > 100 {
		h.Format = tar.FormatPAX
	}
	if err := tw.WriteHeader(h); err != nil {
		return fmt.Errorf("%s: %v", name, err)
	}
	if t.o.verbose {
		fmt.Fprintln(verbose, h.Name)
	}
	switch {
	case fi.Mode().IsRegular():
		f, err := t.inv.FS.Open(p)
		if err != nil {
			return fmt.Errorf("%s: %s", name, errText(err))
		}
		defer f.Close()
		if _, err := io.Copy(tw, ctxReader{t.ctx, f}); err != nil {
			return fmt.Errorf("%s: %s", name, errText(err))
		}
	case fi.IsDir():
		ents, err := t.inv.FS.ReadDir(p)
		if err != nil {
			return fmt.Errorf("%s: %s", name, errText(err))
		}
		for _, e := range ents {
			if err := t.add(tw, path.Join(name, e.Name()), verbose); err != nil {
				return err
			}
		}
	}
	return nil
}

// read lists (-t) or extracts (-x) an archive, gzipped or not: the
// magic bytes decide, as with busybox's seamless decompression.
func (t tarRun) read() int {
	var in io.Reader = t.inv.Stdin
	if t.o.file != "-" {
		f, err := t.inv.FS.Open(t.inv.Abs(t.o.file))
		if err != nil {
			return t.inv.Errorf("can't open '%s': %s", t.o.file, errText(err))
		}
		defer f.Close()
		in = f
	}
	br := bufio.NewReader(ctxReader{t.ctx, in})
	if magic, _ := br.Peek(2); t.o.gzip || (len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b) {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return t.inv.Errorf("invalid gzip magic")
		}
		defer zr.Close()
		in = zr
	} else {
		in = br
	}
	tr := tar.NewReader(in)
	status := 0
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return status
		}
		if err != nil {
			return t.inv.Errorf("%v", err)
		}
		switch {
		case t.o.mode == 't' && t.o.verbose:
			fmt.Fprintln(t.inv.Stdout, tarListLine(h))
		case t.o.mode == 't' || t.o.verbose:
			fmt.Fprintln(t.inv.Stdout, h.Name)
		}
		if t.o.mode == 'x' {
			if err := t.extract(h, tr); err != nil {
				fmt.Fprintf(t.inv.Stderr, "tar: %v\n", err)
				status = 1
			}
		}
	}
}

// tarListLine is busybox's tar -tv line.
func tarListLine(h *tar.Header) string {
	user, group := h.Uname, h.Gname
	if user == "" {
		user = strconv.Itoa(h.Uid)
	}
	if group == "" {
		group = strconv.Itoa(h.Gid)
	}
	line := fmt.Sprintf("%s %s/%s %9d %s %s", modeString(h.FileInfo().Mode()), user, group,
		h.Size, h.ModTime.UTC().Format("2006-01-02 15:04:05"), h.Name)
	switch h.Typeflag {
	case tar.TypeSymlink:
		line += " -> " + h.Linkname
	case tar.TypeLink:
		line += " link to " + h.Linkname
	}
	return line
}

// extract writes one entry under -C. Names are cleaned against the
// root so that "../x" cannot climb out of the target directory.
func (t tarRun) extract(h *tar.Header, r io.Reader) error {
	dst := path.Join(t.base, path.Clean("/"+h.Name))
	fsys := t.inv.FS
	mode := goPerm(uint32(h.Mode))
	if err := fsys.MkdirAll(path.Dir(dst), 0o755); err != nil {
		return fmt.Errorf("can't create directory '%s': %s", path.Dir(h.Name), errText(err))
	}
	switch h.Typeflag {
	case tar.TypeDir:
		if err := fsys.MkdirAll(dst, 0o755); err != nil {
			return fmt.Errorf("can't create directory '%s': %s", h.Name, errText(err))
		}
	case tar.TypeSymlink:
		fsys.Remove(dst)
		if err := fsys.Symlink(h.Linkname, dst); err != nil {
			return fmt.Errorf("can't create symlink '%s': %s", h.Name, errText(err))
		}
		return nil
	case tar.TypeReg, tar.TypeLink:
		if h.Typeflag == tar.TypeLink {
			// Hard links become copies: the sandbox's FS has no link(2).
			src, err := fsys.Open(path.Join(t.base, path.Clean("/"+h.Linkname)))
			if err != nil {
				return fmt.Errorf("can't link '%s': %s", h.Name, errText(err))
			}
			defer src.Close()
			r = src
		}
		fsys.Remove(dst)
		f, err := fsys.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
		if err != nil {
			return fmt.Errorf("can't open '%s': %s", h.Name, errText(err))
		}
		_, err = io.Copy(f, r)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return fmt.Errorf("%s: %s", h.Name, errText(err))
		}
	default:
		return fmt.Errorf("%s: unsupported entry type '%c'", h.Name, h.Typeflag)
	}
	if err := fsys.Chmod(dst, mode); err != nil {
		return fmt.Errorf("%s: %s", h.Name, errText(err))
	}
	mt := h.ModTime
	if mt.IsZero() {
		mt = time.Now()
	}
	return fsys.Chtimes(dst, mt, mt)
}
