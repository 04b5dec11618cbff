package coreutils

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"regexp"
	"strings"

	"github.com/sockerless/sockerless/sandbox/command"
)

// grep [-EFivnclqhHrRwxs] [-e PATTERN]... [PATTERN] [FILE]...
func grep(ctx context.Context, inv *command.Invocation) int {
	o, err := parseOpts(inv.Args[1:], "e", map[string]byte{"invert-match": 'v', "ignore-case": 'i', "count": 'c',
		"quiet": 'q', "silent": 'q', "recursive": 'r', "line-number": 'n', "files-with-matches": 'l', "only-matching": 'o',
		"regexp": 'e'})
	if err != nil {
		fmt.Fprintf(inv.Stderr, "grep: %v\n", err)
		return 2
	}
	patterns := o.vals['e']
	files := o.args
	if len(patterns) == 0 {
		if len(files) == 0 {
			fmt.Fprintln(inv.Stderr, "grep: no pattern")
			return 2
		}
		patterns, files = strings.Split(files[0], "\n"), files[1:]
	}
	re, err := grepRegexp(patterns, o)
	if err != nil {
		fmt.Fprintf(inv.Stderr, "grep: bad regex: %v\n", err)
		return 2
	}
	g := grepper{ctx: ctx, inv: inv, o: o, re: re}
	recursive := o.has('r') || o.has('R')
	if recursive && len(files) == 0 {
		files = []string{"."}
	}
	g.names = !o.has('h') && (o.has('H') || len(files) > 1 || recursive)
	if len(files) == 0 {
		files = []string{"-"}
	}
	for _, f := range files {
		if g.done {
			break
		}
		if recursive && f != "-" {
			g.walk(f)
			continue
		}
		g.file(f)
	}
	switch {
	case g.matched:
		return 0
	case g.failed:
		return 2
	}
	return 1
}

// grepRegexp translates POSIX basic (default), extended (-E) or fixed
// (-F) patterns to one Go regexp.
func grepRegexp(patterns []string, o opts) (*regexp.Regexp, error) {
	alts := make([]string, len(patterns))
	for i, p := range patterns {
		switch {
		case o.has('F'):
			alts[i] = regexp.QuoteMeta(p)
		case o.has('E'):
			alts[i] = p
		default:
			alts[i] = basicToRE2(p)
		}
		if o.has('w') {
			alts[i] = `\b(?:` + alts[i] + `)\b`
		}
		if o.has('x') {
			alts[i] = `^(?:` + alts[i] + `)$`
		}
	}
	expr := "(?:" + strings.Join(alts, ")|(?:") + ")"
	if o.has('i') {
		expr = "(?i)" + expr
	}
	return regexp.Compile(expr)
}

// basicToRE2 swaps the meaning of escaped and bare ( ) { } | + ? as
// POSIX basic regular expressions define them.
func basicToRE2(p string) string {
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		c := p[i]
		if c == '\\' && i+1 < len(p) {
			n := p[i+1]
			i++
			if strings.IndexByte("(){}|+?", n) >= 0 {
				b.WriteByte(n)
			} else {
				b.WriteByte('\\')
				b.WriteByte(n)
			}
			continue
		}
		if strings.IndexByte("(){}|+?", c) >= 0 {
			b.WriteByte('\\')
		}
		b.WriteByte(c)
	}
	return b.String()
}

type grepper struct {
	ctx                   context.Context
	inv                   *command.Invocation
	o                     opts
	re                    *regexp.Regexp
	names                 bool
	matched, failed, done bool
}

func (g *grepper) walk(name string) {
	abs := g.inv.Abs(name)
	fi, err := g.inv.FS.Stat(abs)
	if err != nil {
		g.report(name, err)
		return
	}
	if !fi.IsDir() {
		g.file(name)
		return
	}
	ents, err := g.inv.FS.ReadDir(abs)
	if err != nil {
		g.report(name, err)
		return
	}
	for _, e := range ents {
		if g.done || g.ctx.Err() != nil {
			return
		}
		// Like grep -r, do not follow symlinks found while walking.
		if e.Type()&fs.ModeSymlink != 0 {
			continue
		}
		// Keep the operand's spelling ("./sub/f"), as grep -r prints it.
		g.walk(strings.TrimSuffix(name, "/") + "/" + e.Name())
	}
}

func (g *grepper) report(name string, err error) {
	if !g.o.has('s') {
		fmt.Fprintf(g.inv.Stderr, "grep: %s: %s\n", name, errText(err))
	}
	g.failed = true
}

func (g *grepper) file(name string) {
	r, err := openInput(g.inv, name)
	if err != nil {
		g.report(name, err)
		return
	}
	defer r.Close()
	label := name
	if name == "-" {
		label = "(standard input)"
	}
	prefix := ""
	if g.names {
		prefix = label + ":"
	}
	count, line := 0, 0
	var werr error
	err = eachLine(g.ctx, r, func(s string) error {
		line++
		text := strings.TrimSuffix(s, "\n")
		if g.re.MatchString(text) == g.o.has('v') {
			return nil
		}
		count++
		g.matched = true
		switch {
		case g.o.has('q'):
			g.done = true
			return io.EOF
		case g.o.has('l'):
			fmt.Fprintln(g.inv.Stdout, label)
			return io.EOF
		case g.o.has('c'):
		case g.o.has('o'):
			// Each non-empty match on a line of its own; with -v there is
			// no match to show.
			if g.o.has('v') {
				return nil
			}
			for _, m := range g.re.FindAllString(text, -1) {
				if m == "" {
					continue
				}
				if g.o.has('n') {
					_, werr = fmt.Fprintf(g.inv.Stdout, "%s%d:%s\n", prefix, line, m)
				} else {
					_, werr = fmt.Fprintf(g.inv.Stdout, "%s%s\n", prefix, m)
				}
			}
		case g.o.has('n'):
			_, werr = fmt.Fprintf(g.inv.Stdout, "%s%d:%s\n", prefix, line, text)
		default:
			_, werr = fmt.Fprintf(g.inv.Stdout, "%s%s\n", prefix, text)
		}
		if werr != nil {
			// The reader is gone (head ended): stop, as SIGPIPE would,
			// instead of reading endless input for nobody.
			g.done, g.failed = true, true
			return io.EOF
		}
		return nil
	})
	if err != nil && err != io.EOF {
		g.report(name, err)
	}
	if g.o.has('c') && !g.o.has('q') {
		fmt.Fprintf(g.inv.Stdout, "%s%d\n", prefix, count)
	}
}

// egrep and fgrep are grep -E and grep -F.
func egrep(ctx context.Context, inv *command.Invocation) int { return withFlag(ctx, inv, "-E", grep) }
func fgrep(ctx context.Context, inv *command.Invocation) int { return withFlag(ctx, inv, "-F", grep) }

func withFlag(ctx context.Context, inv *command.Invocation, flag string, fn command.Func) int {
	sub := *inv
	sub.Args = append([]string{inv.Args[0], flag}, inv.Args[1:]...)
	return fn(ctx, &sub)
}
