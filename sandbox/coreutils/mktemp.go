package coreutils

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"strings"

	"github.com/sockerless/sockerless/sandbox/command"
)

// mktemp [-dqtu] [-p DIR] [TEMPLATE] creates a file (or, with -d, a
// directory) named by TEMPLATE with its trailing Xs made random and
// prints its name, as busybox's does: without TEMPLATE, tmp.XXXXXX in
// $TMPDIR or /tmp; with -p or -t, TEMPLATE is under that directory.
func mktemp(_ context.Context, inv *command.Invocation) int {
	o, err := parseOpts(inv.Args[1:], "p", nil)
	if err != nil {
		return usage(inv, err)
	}
	if len(o.args) > 1 {
		return usage(inv, errors.New("usage: mktemp [-dqtu] [-p DIR] [TEMPLATE]"))
	}
	template, dir := "tmp.XXXXXX", ""
	if len(o.args) == 1 {
		template = o.args[0]
	}
	if d, ok := o.val['p']; ok || o.has('t') || len(o.args) == 0 {
		dir = d
		if dir == "" {
			dir = inv.Getenv("TMPDIR")
		}
		if dir == "" {
			dir = "/tmp"
		}
	}
	prefix := strings.TrimRight(template, "X")
	if n := len(template) - len(prefix); n < 3 {
		return inv.Errorf("bad template '%s': it must end in at least 3 Xs", template)
	}
	if dir != "" && !strings.Contains(template, "/") {
		prefix = path.Join(dir, prefix)
	}
	for range 100 {
		name := prefix + randomSuffix(len(template)-len(strings.TrimRight(template, "X")))
		p := inv.Abs(name)
		if o.has('d') {
			err = inv.FS.Mkdir(p, 0o700)
		} else {
			var f io.Closer
			f, err = inv.FS.OpenFile(p, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
			if err == nil {
				f.Close()
			}
		}
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			if o.has('q') {
				return 1
			}
			return inv.Errorf("%s: %s", name, errText(err))
		}
		// The mode must not depend on the umask or the layer it lands in.
		mode := fs.FileMode(0o600)
		if o.has('d') {
			mode = 0o700
		}
		if err := inv.FS.Chmod(p, mode); err != nil {
			return inv.Errorf("%s: %s", name, errText(err))
		}
		fmt.Fprintln(inv.Stdout, name)
		return 0
	}
	return inv.Errorf("%s: no free name", template)
}

const suffixChars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

func randomSuffix(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	for i := range b {
		b[i] = suffixChars[int(b[i])%len(suffixChars)]
	}
	return string(b)
}
