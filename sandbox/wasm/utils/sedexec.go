package main

import (
	"io"
	"strconv"
	"strings"
)

// editor runs a parsed sed program over lines.
type editor struct {
	prog  []*sedCmd
	quiet bool
	out   io.Writer

	line     int
	hold     string
	appended []string
	quit     bool
	exit     int
	err      error
}

func (e *editor) write(s string, nl bool) {
	if e.err != nil {
		return
	}
	if nl {
		s += "\n"
	}
	_, e.err = io.WriteString(e.out, s)
}

func (e *editor) hit(a *sedAddr, ps string, in *lineReader) bool {
	switch a.kind {
	case addrLine:
		return e.line == a.n
	case addrLast:
		return in.last()
	}
	return a.re.MatchString(ps)
}

func (e *editor) selects(c *sedCmd, ps string, in *lineReader) bool {
	m := true
	switch {
	case c.a1 == nil:
	case c.a2 == nil:
		m = e.hit(c.a1, ps, in)
	case c.active:
		if c.a2.kind == addrLine {
			c.active = e.line < c.a2.n
		} else if e.hit(c.a2, ps, in) {
			c.active = false
		}
	case e.hit(c.a1, ps, in):
		c.active = !(c.a2.kind == addrLine && c.a2.n <= e.line) && !(c.a2.kind == addrLast && in.last())
	default:
		m = false
	}
	return m != c.neg
}

// run processes every line of in; it reports whether a q command ended
// the whole run.
func (e *editor) run(in *lineReader) bool {
	for !e.quit && e.err == nil {
		ps, nl, ok := in.read()
		if !ok {
			return false
		}
		e.line++
		e.cycle(ps, nl, in)
	}
	return e.quit
}

func (e *editor) cycle(ps string, nl bool, in *lineReader) {
	autoprint := !e.quiet
	tflag := false
	defer func() {
		if autoprint {
			e.write(ps, nl)
		}
		for _, t := range e.appended {
			e.write(t, true)
		}
		e.appended = e.appended[:0]
	}()
	for pc := 0; pc < len(e.prog) && e.err == nil; pc++ {
		tick()
		c := e.prog[pc]
		if !e.selects(c, ps, in) {
			if c.name == '{' {
				pc = c.jump
			}
			continue
		}
		switch c.name {
		case 's':
			var did bool
			ps, did = substitute(c, ps)
			if did {
				tflag = true
				if c.print {
					e.write(ps, true)
				}
			}
		case 'y':
			ps = strings.Map(func(r rune) rune {
				for i, f := range c.from {
					if f == r {
						return c.to[i]
					}
				}
				return r
			}, ps)
		case 'p':
			e.write(ps, true)
		case 'P':
			first, _, _ := strings.Cut(ps, "\n")
			e.write(first, true)
		case 'l':
			e.write(strconv.Quote(ps)+"$", true)
		case '=':
			e.write(strconv.Itoa(e.line), true)
		case 'd':
			autoprint = false
			return
		case 'D':
			if i := strings.IndexByte(ps, '\n'); i >= 0 {
				ps = ps[i+1:]
				pc = -1
				continue
			}
			autoprint = false
			return
		case 'q':
			e.quit, e.exit = true, c.nth
			return
		case 'Q':
			e.quit, e.exit, autoprint = true, c.nth, false
			return
		case 'a':
			e.appended = append(e.appended, c.text)
		case 'i':
			e.write(c.text, true)
		case 'c':
			autoprint = false
			if c.a2 == nil || !c.active || c.neg {
				e.write(c.text, true)
			}
			return
		case 'h':
			e.hold = ps
		case 'H':
			e.hold += "\n" + ps
		case 'g':
			ps = e.hold
		case 'G':
			ps += "\n" + e.hold
		case 'x':
			ps, e.hold = e.hold, ps
		case 'n':
			if !e.quiet {
				e.write(ps, nl)
			}
			next, nnl, ok := in.read()
			if !ok {
				autoprint = false
				return
			}
			e.line++
			ps, nl = next, nnl
		case 'N':
			next, nnl, ok := in.read()
			if !ok {
				return // GNU prints the pattern space and ends
			}
			e.line++
			ps, nl = ps+"\n"+next, nnl
		case 'b':
			pc = c.jump - 1
		case 't', 'T':
			if tflag == (c.name == 't') {
				pc = c.jump - 1
			}
			if c.name == 't' {
				tflag = false
			}
		}
	}
}

// substitute applies an s command: the nth match, or the nth and every
// later one with g.
func substitute(c *sedCmd, ps string) (string, bool) {
	ms := c.re.FindAllStringSubmatchIndex(ps, -1)
	if len(ms) < c.nth {
		return ps, false
	}
	var b strings.Builder
	prev := 0
	did := false
	for i, m := range ms {
		n := i + 1
		if n < c.nth || (n > c.nth && !c.global) {
			continue
		}
		b.WriteString(ps[prev:m[0]])
		expand(&b, c.repl, ps, m)
		prev = m[1]
		did = true
	}
	b.WriteString(ps[prev:])
	return b.String(), did
}

// expand writes a replacement: & is the match, \1-\9 groups, \n a
// newline, \& and \\ themselves.
func expand(b *strings.Builder, repl, s string, m []int) {
	for i := 0; i < len(repl); i++ {
		c := repl[i]
		switch {
		case c == '&':
			b.WriteString(s[m[0]:m[1]])
		case c == '\\' && i+1 < len(repl):
			i++
			switch d := repl[i]; {
			case d >= '0' && d <= '9':
				g := int(d - '0')
				if 2*g+1 < len(m) && m[2*g] >= 0 {
					b.WriteString(s[m[2*g]:m[2*g+1]])
				}
			case d == 'n':
				b.WriteByte('\n')
			case d == 't':
				b.WriteByte('\t')
			default:
				b.WriteByte(d)
			}
		default:
			b.WriteByte(c)
		}
	}
}
