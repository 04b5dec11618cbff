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
// ("-la"), flags with values ("-n 5", "-n5", "-e A -e B"), long options
// and "--".
type opts struct {
	set  map[byte]bool
	val  map[byte]string   // a valued flag's last value
	vals map[byte][]string // every value of a valued flag, in order
	args []string
}

func (o opts) has(c byte) bool { return o.set[c] }

// parseOpts reads a command line as busybox's getopt does for most
// applets (GNU permutation): flags may come before, between and after
// operands ("rm dir -rf", "chmod 755 -R dir"); "--" ends flags, and
// "-" alone is an operand. valued lists the letters that take a value.
// Long options are accepted only as listed in long, which maps them to
// a letter.
func parseOpts(args []string, valued string, long map[string]byte) (opts, error) {
	return parseArgs(args, valued, long, true)
}

// parseLeadingOpts reads flags only up to the first operand, as busybox
// does for applets whose operands are a command or may look like flags
// (timeout, seq's negative numbers, tr's sets).
func parseLeadingOpts(args []string, valued string, long map[string]byte) (opts, error) {
	return parseArgs(args, valued, long, false)
}

func parseArgs(args []string, valued string, long map[string]byte, permute bool) (opts, error) {
	o := opts{set: map[byte]bool{}, val: map[byte]string{}, vals: map[byte][]string{}}
	setVal := func(c byte, v string) {
		o.val[c] = v
		o.vals[c] = append(o.vals[c], v)
	}
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			o.args = append(o.args, args[i+1:]...)
			break
		}
		if len(a) < 2 || a[0] != '-' {
			if !permute {
				o.args = append(o.args, args[i:]...)
				break
			}
			o.args = append(o.args, a)
			continue
		}
		if strings.HasPrefix(a, "--") {
			name, v, hasV := strings.Cut(a[2:], "=")
			c, ok := long[name]
			if !ok {
				return o, fmt.Errorf("unrecognized option '%s'", a)
			}
			o.set[c] = true
			switch {
			case hasV:
				setVal(c, v)
			case strings.IndexByte(valued, c) >= 0 && i+1 < len(args):
				i++
				setVal(c, args[i])
			case strings.IndexByte(valued, c) >= 0:
				return o, fmt.Errorf("option '%s' requires an argument", a)
			}
			continue
		}
		for j := 1; j < len(a); j++ {
			c := a[j]
			o.set[c] = true
			if strings.IndexByte(valued, c) < 0 {
				continue
			}
			if j+1 < len(a) {
				setVal(c, a[j+1:])
			} else if i+1 < len(args) {
				i++
				setVal(c, args[i])
			} else {
				return o, missingValue(c)
			}
			break
		}
	}
	return o, nil
}

// missingValue is the error for a valued flag ending the command line.
type missingValue byte

func (c missingValue) Error() string {
	return fmt.Sprintf("option requires an argument -- '%c'", byte(c))
}

// ParseFlags reads short flags as parseOpts does (permute) or as
// parseLeadingOpts does, for the utilities of the WASI module that keep
// their own code (sandbox/wasm/utils): flags maps each flag given to its
// values, one "" per use for a flag without. bad is a valued flag left
// without its value, or '-' for a long option, which these take none of.
func ParseFlags(args []string, valued string, permute bool) (flags map[byte][]string, operands []string, bad byte) {
	o, err := parseArgs(args, valued, nil, permute)
	if err != nil {
		if c, ok := err.(missingValue); ok {
			return nil, nil, byte(c)
		}
		return nil, nil, '-'
	}
	flags = map[byte][]string{}
	for c := range o.set {
		if v, ok := o.vals[c]; ok {
			flags[c] = v
		} else {
			flags[c] = []string{""}
		}
	}
	return flags, o.args, 0
}

// flagWords splits args for a utility whose operands may start with '-'
// (chmod's "-w"): a word made only of letters is a flag cluster, any
// other word an operand, and "--" ends flags. It returns the flag
// letters seen and the operands in order.
func flagWords(args []string, letters string) (flags string, operands []string) {
	for i, a := range args {
		if a == "--" {
			return flags, append(operands, args[i+1:]...)
		}
		if len(a) > 1 && a[0] == '-' && strings.Trim(a[1:], letters) == "" {
			flags += a[1:]
			continue
		}
		operands = append(operands, a)
	}
	return flags, operands
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
