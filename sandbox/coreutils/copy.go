package coreutils

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"syscall"

	"github.com/sockerless/sockerless/sandbox/command"
)

// cp [-r] [-p] [-f] SRC... DEST
func cp(ctx context.Context, inv *command.Invocation) int {
	o, err := parseOpts(inv.Args[1:], "", map[string]byte{"recursive": 'r', "preserve": 'p', "archive": 'a'})
	if err != nil {
		return usage(inv, err)
	}
	c := copier{ctx: ctx, inv: inv, recursive: o.has('r') || o.has('R') || o.has('a'), preserve: o.has('p') || o.has('a')}
	return moveOrCopy(inv, o.args, func(src, dst, name string) error { return c.copy(src, dst, name) })
}

// mv SRC... DEST; across mounts it copies then removes, like mv(1).
func mv(ctx context.Context, inv *command.Invocation) int {
	o, err := parseOpts(inv.Args[1:], "", nil)
	if err != nil {
		return usage(inv, err)
	}
	c := copier{ctx: ctx, inv: inv, recursive: true, preserve: true}
	return moveOrCopy(inv, o.args, func(src, dst, name string) error {
		err := inv.FS.Rename(src, dst)
		// WASI has no EXDEV: a rename across the container's mounts
		// reaches a utility as EIO, and a real I/O error fails the copy.
		if !errors.Is(err, syscall.EXDEV) && !errors.Is(err, syscall.EIO) {
			return err
		}
		if err := c.copy(src, dst, name); err != nil {
			return err
		}
		return inv.FS.RemoveAll(src)
	})
}

// moveOrCopy applies op to each source, targeting DEST itself or, when it
// is a directory, DEST/base(source).
func moveOrCopy(inv *command.Invocation, args []string, op func(src, dst, name string) error) int {
	if len(args) < 2 {
		return usage(inv, errors.New("missing file operand"))
	}
	srcs, dest := args[:len(args)-1], inv.Abs(args[len(args)-1])
	fi, err := inv.FS.Stat(dest)
	intoDir := err == nil && fi.IsDir()
	if len(srcs) > 1 && !intoDir {
		return inv.Errorf("'%s' is not a directory", args[len(args)-1])
	}
	status := 0
	for _, s := range srcs {
		dst := dest
		if intoDir {
			dst = path.Join(dest, baseName(s))
		}
		if err := op(inv.Abs(s), dst, s); err != nil {
			fmt.Fprintf(inv.Stderr, "%s: %s\n", inv.Name(), errMsg(err, s))
			status = 1
		}
	}
	return status
}

// errMsg formats an error from a copy helper, which already names its file.
func errMsg(err error, name string) string {
	var ce copyErr
	if errors.As(err, &ce) {
		return ce.msg
	}
	return fmt.Sprintf("can't stat '%s': %s", name, errText(err))
}

type copyErr struct{ msg string }

func (c copyErr) Error() string { return c.msg }

type copier struct {
	ctx                 context.Context
	inv                 *command.Invocation
	recursive, preserve bool
}

func (c copier) copy(src, dst, name string) error {
	fsys := c.inv.FS
	fi, err := fsys.Lstat(src)
	if err != nil {
		return copyErr{fmt.Sprintf("can't stat '%s': %s", name, errText(err))}
	}
	switch {
	case fi.IsDir():
		if !c.recursive {
			return copyErr{fmt.Sprintf("omitting directory '%s'", name)}
		}
		return c.copyDir(src, dst, name, fi)
	case fi.Mode()&fs.ModeSymlink != 0 && c.recursive:
		t, err := fsys.Readlink(src)
		if err != nil {
			return err
		}
		fsys.Remove(dst)
		return fsys.Symlink(t, dst)
	}
	return c.copyFile(src, dst, name)
}

func (c copier) copyDir(src, dst, name string, fi fs.FileInfo) error {
	fsys := c.inv.FS
	if err := fsys.Mkdir(dst, fi.Mode().Perm()); err != nil && !errors.Is(err, fs.ErrExist) {
		return copyErr{fmt.Sprintf("can't create directory '%s': %s", dst, errText(err))}
	}
	ents, err := fsys.ReadDir(src)
	if err != nil {
		return err
	}
	for _, e := range ents {
		if err := c.ctx.Err(); err != nil {
			return err
		}
		if err := c.copy(path.Join(src, e.Name()), path.Join(dst, e.Name()), path.Join(name, e.Name())); err != nil {
			return err
		}
	}
	return c.finish(dst, fi)
}

func (c copier) copyFile(src, dst, name string) error {
	fsys := c.inv.FS
	fi, err := fsys.Stat(src)
	if err != nil {
		return copyErr{fmt.Sprintf("can't stat '%s': %s", name, errText(err))}
	}
	in, err := fsys.OpenFile(src, os.O_RDONLY, 0)
	if err != nil {
		return copyErr{fmt.Sprintf("can't open '%s': %s", name, errText(err))}
	}
	defer in.Close()
	out, err := fsys.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, fi.Mode().Perm())
	if err != nil {
		return copyErr{fmt.Sprintf("can't create '%s': %s", dst, errText(err))}
	}
	if _, err := io.Copy(out, ctxReader{c.ctx, in}); err != nil {
		out.Close()
		return err
	}
	if err := out.Close(); err != nil {
		return err
	}
	return c.finish(dst, fi)
}

func (c copier) finish(dst string, fi fs.FileInfo) error {
	if !c.preserve {
		return nil
	}
	if err := c.inv.FS.Chmod(dst, fi.Mode().Perm()); err != nil {
		return err
	}
	return c.inv.FS.Chtimes(dst, fi.ModTime(), fi.ModTime())
}
