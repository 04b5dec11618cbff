package coreutils

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"time"

	"github.com/sockerless/sockerless/sandbox/command"
)

// cat [-n] [FILE]...
func cat(ctx context.Context, inv *command.Invocation) int {
	o, err := parseOpts(inv.Args[1:], "", nil)
	if err != nil {
		return usage(inv, err)
	}
	line := 0
	return eachInput(inv, o.args, func(_ string, r io.Reader) error {
		if !o.has('n') {
			_, err := io.Copy(inv.Stdout, ctxReader{ctx, r})
			return err
		}
		return eachLine(ctx, r, func(s string) error {
			line++
			_, err := fmt.Fprintf(inv.Stdout, "%6d\t%s", line, s)
			return err
		})
	})
}

// mkdir [-p] DIR...
func mkdir(_ context.Context, inv *command.Invocation) int {
	o, err := parseOpts(inv.Args[1:], "m", map[string]byte{"parents": 'p'})
	if err != nil {
		return usage(inv, err)
	}
	if len(o.args) == 0 {
		return usage(inv, errors.New("missing operand"))
	}
	status := 0
	for _, d := range o.args {
		p := inv.Abs(d)
		if o.has('p') {
			err = inv.FS.MkdirAll(p, 0o755)
		} else {
			err = inv.FS.Mkdir(p, 0o755)
		}
		if err != nil {
			fmt.Fprintf(inv.Stderr, "mkdir: can't create directory '%s': %s\n", d, errText(err))
			status = 1
		}
	}
	return status
}

// rm [-r] [-f] FILE...
func rm(_ context.Context, inv *command.Invocation) int {
	o, err := parseOpts(inv.Args[1:], "", map[string]byte{"recursive": 'r', "force": 'f'})
	if err != nil {
		return usage(inv, err)
	}
	recursive := o.has('r') || o.has('R')
	status := 0
	for _, name := range o.args {
		p := inv.Abs(name)
		fi, err := inv.FS.Lstat(p)
		if err != nil {
			if !o.has('f') {
				fmt.Fprintf(inv.Stderr, "rm: can't remove '%s': %s\n", name, errText(err))
				status = 1
			}
			continue
		}
		if fi.IsDir() && !recursive {
			fmt.Fprintf(inv.Stderr, "rm: '%s' is a directory\n", name)
			status = 1
			continue
		}
		if fi.IsDir() {
			err = inv.FS.RemoveAll(p)
		} else {
			err = inv.FS.Remove(p)
		}
		if err != nil {
			fmt.Fprintf(inv.Stderr, "rm: can't remove '%s': %s\n", name, errText(err))
			status = 1
		}
	}
	return status
}

// touch [-c] FILE...
func touch(_ context.Context, inv *command.Invocation) int {
	o, err := parseOpts(inv.Args[1:], "dtr", nil)
	if err != nil {
		return usage(inv, err)
	}
	now := time.Now()
	status := 0
	for _, name := range o.args {
		p := inv.Abs(name)
		if _, err := inv.FS.Stat(p); errors.Is(err, fs.ErrNotExist) {
			if o.has('c') {
				continue
			}
			f, err := inv.FS.OpenFile(p, os.O_WRONLY|os.O_CREATE, 0o644)
			if err != nil {
				fmt.Fprintf(inv.Stderr, "touch: %s: %s\n", name, errText(err))
				status = 1
				continue
			}
			f.Close()
		}
		if err := inv.FS.Chtimes(p, now, now); err != nil {
			fmt.Fprintf(inv.Stderr, "touch: %s: %s\n", name, errText(err))
			status = 1
		}
	}
	return status
}

// ln -s TARGET LINK: only symbolic links, since hard links across a
// confined tree would need the same checks for little use.
func ln(_ context.Context, inv *command.Invocation) int {
	o, err := parseOpts(inv.Args[1:], "", nil)
	if err != nil {
		return usage(inv, err)
	}
	if !o.has('s') {
		return inv.Errorf("only symbolic links (-s) are supported")
	}
	if len(o.args) != 2 {
		return usage(inv, errors.New("need TARGET and LINK"))
	}
	link := inv.Abs(o.args[1])
	if fi, err := inv.FS.Stat(link); err == nil && fi.IsDir() {
		link = link + "/" + baseName(o.args[0])
	}
	if o.has('f') {
		inv.FS.Remove(link)
	}
	if err := inv.FS.Symlink(o.args[0], link); err != nil {
		return inv.Errorf("%s: %s", o.args[1], errText(err))
	}
	return 0
}
