package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"strings"
)

func init() { register("sed", sed) }

// sed is a stream editor covering what scripts use: -n, -e, -f, -E/-r,
// -i[SUFFIX], -s; addresses by line, $, /re/ (or \cREc, with I), ranges and
// !; commands s (flags g p N I w-less), y, d, D-less p, P-less, q, Q, =, a, i,
// c, h H g G x, n N, b t T with :labels, { } blocks and # comments.
func sed(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	var scripts []string
	var files []string
	quiet, ere, inPlace, separate := false, false, false, false
	suffix := ""
	args = args[1:]
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			files = append(files, args[i+1:]...)
			i = len(args)
		case a == "-n" || a == "--quiet" || a == "--silent":
			quiet = true
		case a == "-E" || a == "-r" || a == "--regexp-extended":
			ere = true
		case a == "-s" || a == "--separate":
			separate = true
		case a == "-e" || a == "-f":
			if i+1 >= len(args) {
				return errorf(stderr, "sed", "option requires an argument -- '%s'", a[1:])
			}
			i++
			s := args[i]
			if a == "-f" {
				b, err := os.ReadFile(s)
				if err != nil {
					return errorf(stderr, "sed", "couldn't open file %s: %s", s, errText(err))
				}
				s = strings.TrimSuffix(string(b), "\n")
			}
			scripts = append(scripts, s)
		case strings.HasPrefix(a, "-i") || strings.HasPrefix(a, "--in-place"):
			inPlace, separate = true, true
			suffix = strings.TrimPrefix(strings.TrimPrefix(a, "--in-place"), "-i")
			suffix = strings.TrimPrefix(suffix, "=")
		case len(a) > 2 && a[0] == '-' && a[1] != '-' && strings.Trim(a[1:], "nEsr") == "":
			quiet = quiet || strings.Contains(a, "n")
			ere = ere || strings.ContainsAny(a, "Er")
			separate = separate || strings.Contains(a, "s")
		case len(a) > 2 && strings.HasPrefix(a, "-e"):
			scripts = append(scripts, a[2:])
		case len(a) > 1 && a[0] == '-':
			return errorf(stderr, "sed", "unknown option -- '%s'", strings.TrimLeft(a, "-"))
		default:
			if scripts == nil {
				scripts = append(scripts, a)
			} else {
				files = append(files, a)
			}
		}
	}
	if scripts == nil {
		fmt.Fprintln(stderr, "Usage: sed [-inrE] [-e SCRIPT]... [FILE]...")
		return 1
	}
	prog, err := parseSed(strings.Join(scripts, "\n"), ere)
	if err != nil {
		return errorf(stderr, "sed", "-e expression #1: %v", err)
	}
	if inPlace {
		if len(files) == 0 {
			return errorf(stderr, "sed", "no input files")
		}
		status := 0
		for _, f := range files {
			if err := sedInPlace(prog, f, suffix, quiet); err != nil {
				status = errorf(stderr, "sed", "%s", err)
			}
		}
		return status
	}
	if len(files) == 0 {
		files = []string{"-"}
	}
	ed := &editor{prog: prog, quiet: quiet, out: stdout}
	status := 0
	in := &lineReader{}
	for _, f := range files {
		r, err := openArg(f, stdin)
		if err != nil {
			status = errorf(stderr, "sed", "can't read %s: %s", f, errText(err))
			continue
		}
		in.add(r)
		if separate {
			// -s: each file is its own stream: $ and line numbers restart.
			if ed.run(in) {
				break
			}
			ed.line, in = 0, &lineReader{}
		}
	}
	if !separate && !ed.quit {
		ed.run(in)
	}
	if ed.err != nil {
		return errorf(stderr, "sed", "%v", ed.err)
	}
	if ed.quit {
		return ed.exit
	}
	return status
}

// sedInPlace rewrites file in place: it is read whole, edited, and
// written back through the same inode. A temporary file renamed over it
// would lose the file's mode: WASI preview 1 cannot set permissions. A
// suffix keeps a backup copy.
func sedInPlace(prog []*sedCmd, file, suffix string, quiet bool) error {
	data, err := os.ReadFile(file)
	if err != nil {
		return fmt.Errorf("can't read %s: %s", file, errText(err))
	}
	var out bytes.Buffer
	ed := &editor{prog: prog, quiet: quiet, out: &out}
	in := &lineReader{}
	in.add(io.NopCloser(bytes.NewReader(data)))
	ed.run(in)
	if ed.err != nil {
		return ed.err
	}
	if suffix != "" {
		if err := os.WriteFile(file+suffix, data, 0o644); err != nil {
			return fmt.Errorf("%s: %s", file+suffix, errText(err))
		}
	}
	f, err := os.OpenFile(file, os.O_WRONLY|os.O_TRUNC, 0)
	if err != nil {
		return fmt.Errorf("couldn't edit %s: %s", file, errText(err))
	}
	_, err = f.Write(out.Bytes())
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("couldn't edit %s: %s", file, errText(err))
	}
	return nil
}

// lineReader yields lines across the files of one stream and knows when
// the current line is the last ($).
type lineReader struct {
	rs      []*bufio.Reader
	closers []io.Closer
	next    *string
	nl      bool // the buffered line ended with a newline
}

func (l *lineReader) add(r io.ReadCloser) {
	l.rs = append(l.rs, bufio.NewReaderSize(r, 64<<10))
	l.closers = append(l.closers, r)
}

func (l *lineReader) pending() bool { return l.next != nil || len(l.rs) > 0 }

func (l *lineReader) fill() {
	for l.next == nil && len(l.rs) > 0 {
		s, err := l.rs[0].ReadString('\n')
		if s != "" {
			l.nl = strings.HasSuffix(s, "\n")
			s = strings.TrimSuffix(s, "\n")
			l.next = &s
		}
		if err != nil {
			l.closers[0].Close()
			l.rs, l.closers = l.rs[1:], l.closers[1:]
		}
	}
}

// read returns the next line, whether it had a newline, and whether
// there is one.
func (l *lineReader) read() (string, bool, bool) {
	l.fill()
	if l.next == nil {
		return "", false, false
	}
	s, nl := *l.next, l.nl
	l.next = nil
	return s, nl, true
}

// last reports whether no line follows.
func (l *lineReader) last() bool {
	l.fill()
	return l.next == nil
}
