package coreutils

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"strings"

	"github.com/sockerless/sockerless/sandbox/command"
)

// mktemp [-dqu] [-p DIR] [-t] [TEMPLATE] creates a file (or with -d a
// directory) named by TEMPLATE with its trailing X's made random, and
// prints its path. Without a template it is tmp.XXXXXX; with none, -t
// or -p it goes under $TMPDIR, else -p's DIR, else /tmp, as busybox's
// does; a template alone is a path (relative to the working directory).
func mktemp(_ context.Context, inv *command.Invocation) int {
	o, err := parseOpts(inv.Args[1:], "p", map[string]byte{"directory": 'd', "quiet": 'q', "dry-run": 'u', "tmpdir": 'p'})
	if err != nil {
		return usage(inv, err)
	}
	if len(o.args) > 1 {
		return usage(inv, errors.New("too many templates"))
	}
	tmpl := "tmp.XXXXXX"
	if len(o.args) == 1 {
		tmpl = o.args[0]
	}
	if !strings.HasSuffix(tmpl, "XXX") {
		return inv.Errorf("too few X's in template '%s'", tmpl)
	}
	if len(o.args) == 0 || o.has('t') || o.has('p') {
		dir := inv.Getenv("TMPDIR")
		if dir == "" {
			dir = o.val['p']
		}
		if dir == "" {
			dir = "/tmp"
		}
		tmpl = path.Join(dir, path.Base(tmpl))
	}
	stem := strings.TrimRight(tmpl, "X")
	n := len(tmpl) - len(stem)
	for range 100 {
		name := stem + randomName(n)
		abs := inv.Abs(name)
		switch {
		case o.has('u'):
			if _, err = inv.FS.Lstat(abs); errors.Is(err, fs.ErrNotExist) {
				err = nil
			} else if err == nil {
				err = fs.ErrExist
			}
		case o.has('d'):
			err = inv.FS.Mkdir(abs, 0o700)
		default:
			var f interface{ Close() error }
			f, err = inv.FS.OpenFile(abs, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
			if err == nil {
				err = f.Close()
			}
			if err == nil {
				// The mode is 0600 whatever the sandbox's create gives.
				err = inv.FS.Chmod(abs, 0o600)
			}
		}
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			if !o.has('q') {
				inv.Errorf("failed to create %s '%s': %s", map[bool]string{true: "directory", false: "file"}[o.has('d')], tmpl, errText(err))
			}
			return 1
		}
		fmt.Fprintln(inv.Stdout, name)
		return 0
	}
	return inv.Errorf("failed to create a unique name from '%s'", tmpl)
}

// randomName is n random letters and digits.
func randomName(n int) string {
	const chars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	b := make([]byte, n)
	rand.Read(b)
	for i := range b {
		b[i] = chars[int(b[i])%len(chars)]
	}
	return string(b)
}
