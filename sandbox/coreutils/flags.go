// Package coreutils implements the common Unix utilities in Go against
// the command.Invocation they are given, and nothing else: the sandbox
// compiles them into its WASI utility module (sandbox/wasm/utils), where
// the container's root is all they can reach.
// Output follows busybox's format, since that is what most small images
// ship and what scripts written for them expect.
package coreutils

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/sockerless/sockerless/sandbox/command"
)

// opts is a parsed busybox-style command line: clustered short flags
// ("-la"), flags with values ("-n 5", "-n5") and "--".
type opts struct {
	set  map[byte]bool
	val  map[byte]string
	args []string
}

func (o opts) has(c byte) bool { return o.set[c] }

// parseOpts reads flags until the first operand. valued lists the letters
// that take a value. Long options are accepted only as listed in long,
// which maps them to a letter.
func parseOpts(args []string, valued string, long map[string]byte) (opts, error) {
	o := opts{set: map[byte]bool{}, val: map[byte]string{}}
	i := 0
	for ; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			i++
			break
		}
		if len(a) < 2 || a[0] != '-' {
			break
		}
		if strings.HasPrefix(a, "--") {
			name, v, hasV := strings.Cut(a[2:], "=")
			c, ok := long[name]
			if !ok {
				return o, fmt.Errorf("unrecognized option '%s'", a)
			}
			o.set[c] = true
			if hasV {
				o.val[c] = v
			}
			continue
		}
		for j := 1; j < len(a); j++ {
			c := a[j]
			o.set[c] = true
			if !strings.ContainsRune(valued, rune(c)) {
				continue
			}
			if j+1 < len(a) {
				o.val[c] = a[j+1:]
			} else if i+1 < len(args) {
				i++
				o.val[c] = args[i]
			} else {
				return o, fmt.Errorf("option requires an argument -- '%c'", c)
			}
			break
		}
	}
	o.args = args[i:]
	return o, nil
}

// usage reports a bad command line and returns busybox's status for it.
func usage(inv *command.Invocation, err error) int {
	fmt.Fprintf(inv.Stderr, "%s: %v\n", inv.Name(), err)
	return 1
}

// errText renders err like strerror(3), as busybox prints it.
func errText(err error) string { return command.ErrText(err) }

// openInput opens a file operand; "-" is stdin.
func openInput(inv *command.Invocation, name string) (io.ReadCloser, error) {
	if name == "-" {
		return io.NopCloser(inv.Stdin), nil
	}
	f, err := inv.FS.OpenFile(inv.Abs(name), os.O_RDONLY, 0)
	if err != nil {
		return nil, err
	}
	return f, nil
}

// eachInput runs fn over every operand (stdin when there are none),
// reporting unreadable files busybox-style and returning the status.
func eachInput(inv *command.Invocation, names []string, fn func(name string, r io.Reader) error) int {
	if len(names) == 0 {
		names = []string{"-"}
	}
	status := 0
	for _, n := range names {
		r, err := openInput(inv, n)
		if err != nil {
			fmt.Fprintf(inv.Stderr, "%s: can't open '%s': %s\n", inv.Name(), n, errText(err))
			status = 1
			continue
		}
		err = fn(n, r)
		r.Close()
		if errors.Is(err, command.ErrNoMemory) {
			// Like busybox's xmalloc failing: the command gives up.
			fmt.Fprintf(inv.Stderr, "%s: out of memory\n", inv.Name())
			return 1
		}
		if err != nil {
			fmt.Fprintf(inv.Stderr, "%s: %s: %s\n", inv.Name(), n, errText(err))
			status = 1
		}
	}
	return status
}
