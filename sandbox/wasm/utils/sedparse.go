package main

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

type addrKind int

const (
	addrLine addrKind = iota
	addrLast
	addrRegex
)

type sedAddr struct {
	kind addrKind
	n    int
	re   *regexp.Regexp
}

// sedCmd is one parsed command with its addresses.
type sedCmd struct {
	a1, a2 *sedAddr
	neg    bool
	active bool // inside its range
	name   byte

	re     *regexp.Regexp // s
	repl   string         // s replacement, raw
	global bool
	nth    int
	print  bool

	text  string // a i c; label for : b t T
	from  []rune // y
	to    []rune
	jump  int // { to its }, b t T to their label
	label string
}

type sedParser struct {
	s    string
	i    int
	ere  bool
	last *regexp.Regexp
}

func parseSed(script string, ere bool) ([]*sedCmd, error) {
	p := &sedParser{s: script, ere: ere}
	var prog []*sedCmd
	var open []int
	labels := map[string]int{}
	for {
		p.skip(" \t\n;")
		if p.i >= len(p.s) {
			break
		}
		if p.s[p.i] == '#' {
			for p.i < len(p.s) && p.s[p.i] != '\n' {
				p.i++
			}
			continue
		}
		c := &sedCmd{}
		var err error
		if c.a1, err = p.addr(); err != nil {
			return nil, err
		}
		if c.a1 != nil && p.peek() == ',' {
			p.i++
			if c.a2, err = p.addr(); err != nil {
				return nil, err
			}
			if c.a2 == nil {
				return nil, errors.New("unexpected `,'")
			}
		}
		p.skip(" \t")
		for p.peek() == '!' {
			c.neg = true
			p.i++
			p.skip(" \t")
		}
		if p.i >= len(p.s) {
			return nil, errors.New("missing command")
		}
		c.name = p.s[p.i]
		p.i++
		switch c.name {
		case '{':
			open = append(open, len(prog))
		case '}':
			if len(open) == 0 {
				return nil, errors.New("unexpected `}'")
			}
			prog[open[len(open)-1]].jump = len(prog)
			open = open[:len(open)-1]
		case 's':
			err = p.subst(c)
		case 'y':
			err = p.translit(c)
		case 'a', 'i', 'c':
			c.text = p.text()
		case ':':
			c.label = p.word()
			if c.label == "" {
				return nil, errors.New("\":\" lacks a label")
			}
			labels[c.label] = len(prog)
		case 'b', 't', 'T':
			c.label = p.word()
		case 'd', 'D', 'p', 'P', 'q', 'Q', '=', 'h', 'H', 'g', 'G', 'x', 'n', 'N', 'l':
			if c.name == 'q' || c.name == 'Q' {
				p.skip(" \t")
				c.nth, _ = strconv.Atoi(p.digits())
			}
		default:
			return nil, fmt.Errorf("unknown command: `%c'", c.name)
		}
		if err != nil {
			return nil, err
		}
		prog = append(prog, c)
		p.skip(" \t")
		if c.name != '{' && p.i < len(p.s) && !strings.ContainsRune(";\n}#", rune(p.s[p.i])) {
			return nil, fmt.Errorf("extra characters after command")
		}
	}
	if len(open) > 0 {
		return nil, errors.New("unmatched `{'")
	}
	for _, c := range prog {
		if c.name == 'b' || c.name == 't' || c.name == 'T' {
			c.jump = len(prog) // no label: end of script
			if c.label != "" {
				at, ok := labels[c.label]
				if !ok {
					return nil, fmt.Errorf("can't find label for jump to `%s'", c.label)
				}
				c.jump = at
			}
		}
	}
	return prog, nil
}

func (p *sedParser) peek() byte {
	if p.i < len(p.s) {
		return p.s[p.i]
	}
	return 0
}

func (p *sedParser) skip(set string) {
	for p.i < len(p.s) && strings.IndexByte(set, p.s[p.i]) >= 0 {
		p.i++
	}
}

func (p *sedParser) digits() string {
	j := p.i
	for p.i < len(p.s) && p.s[p.i] >= '0' && p.s[p.i] <= '9' {
		p.i++
	}
	return p.s[j:p.i]
}

func (p *sedParser) word() string {
	p.skip(" \t")
	j := p.i
	for p.i < len(p.s) && !strings.ContainsRune(";\n}", rune(p.s[p.i])) {
		p.i++
	}
	return strings.TrimSpace(p.s[j:p.i])
}

func (p *sedParser) addr() (*sedAddr, error) {
	switch c := p.peek(); {
	case c >= '0' && c <= '9':
		n, _ := strconv.Atoi(p.digits())
		return &sedAddr{kind: addrLine, n: n}, nil
	case c == '$':
		p.i++
		return &sedAddr{kind: addrLast}, nil
	case c == '/' || c == '\\':
		if c == '\\' {
			p.i++
		}
		delim := p.peek()
		p.i++
		raw, err := p.delimited(delim)
		if err != nil {
			return nil, err
		}
		flags := ""
		if p.peek() == 'I' {
			flags = "i"
			p.i++
		}
		re, err := p.compile(raw, flags)
		if err != nil {
			return nil, err
		}
		return &sedAddr{kind: addrRegex, re: re}, nil
	}
	return nil, nil
}

// delimited reads up to an unescaped delim; "\delim" stands for delim
// and "\n" for a newline, other escapes are kept for the regexp.
func (p *sedParser) delimited(delim byte) (string, error) {
	var b strings.Builder
	inBracket := false
	for p.i < len(p.s) {
		c := p.s[p.i]
		switch {
		case c == '\\' && p.i+1 < len(p.s):
			n := p.s[p.i+1]
			switch {
			case n == delim && !inBracket:
				b.WriteByte(n)
			case n == 'n':
				b.WriteByte('\n')
			default:
				b.WriteByte(c)
				b.WriteByte(n)
			}
			p.i += 2
			continue
		case c == '[' && !inBracket:
			inBracket = true
			b.WriteByte(c)
			p.i++
			// A ] right after [ or [^ is literal.
			if p.peek() == '^' {
				b.WriteByte('^')
				p.i++
			}
			if p.peek() == ']' {
				b.WriteByte(']')
				p.i++
			}
			continue
		case c == '[' && inBracket && p.i+1 < len(p.s) && p.s[p.i+1] == ':':
			if end := strings.Index(p.s[p.i:], ":]"); end > 0 {
				b.WriteString(p.s[p.i : p.i+end+2])
				p.i += end + 2
				continue
			}
		case c == ']' && inBracket:
			inBracket = false
		case c == delim && !inBracket:
			p.i++
			return b.String(), nil
		}
		b.WriteByte(c)
		p.i++
	}
	return "", fmt.Errorf("unterminated address regex")
}

func (p *sedParser) compile(raw, flags string) (*regexp.Regexp, error) {
	if raw == "" {
		if p.last == nil {
			return nil, errors.New("no previous regular expression")
		}
		return p.last, nil
	}
	expr := raw
	if !p.ere {
		expr = breToERE(raw)
	}
	if flags != "" {
		expr = "(?" + flags + ")" + expr
	}
	re, err := regexp.Compile(expr)
	if err != nil {
		return nil, fmt.Errorf("invalid regex %q: %v", raw, err)
	}
	p.last = re
	return re, nil
}

// breToERE turns a POSIX basic regular expression into Go syntax: \( \)
// \{ \} \+ \? \| are the operators and their bare forms are literal; a
// leading * is literal.
func breToERE(s string) string {
	var b strings.Builder
	inBracket := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if inBracket {
			b.WriteByte(c)
			if c == ']' && i > 0 && s[i-1] != '[' && !(s[i-1] == '^' && i > 1 && s[i-2] == '[') {
				inBracket = false
			}
			continue
		}
		switch {
		case c == '\\' && i+1 < len(s):
			i++
			if strings.IndexByte("(){}+?|", s[i]) >= 0 {
				b.WriteByte(s[i])
			} else {
				b.WriteByte('\\')
				b.WriteByte(s[i])
			}
		case c == '[':
			inBracket = true
			b.WriteByte(c)
		case strings.IndexByte("(){}+?|", c) >= 0:
			b.WriteByte('\\')
			b.WriteByte(c)
		case c == '*' && (i == 0 || (i == 1 && s[0] == '^')):
			b.WriteString(`\*`)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

func (p *sedParser) subst(c *sedCmd) error {
	delim := p.peek()
	if delim == 0 || delim == '\n' || delim == '\\' {
		return errors.New("unterminated `s' command")
	}
	p.i++
	raw, err := p.delimited(delim)
	if err != nil {
		return errors.New("unterminated `s' command")
	}
	// The replacement keeps its escapes for expansion, except \delim.
	var b strings.Builder
	for {
		if p.i >= len(p.s) {
			return errors.New("unterminated `s' command")
		}
		ch := p.s[p.i]
		if ch == '\\' && p.i+1 < len(p.s) {
			if p.s[p.i+1] == delim {
				b.WriteByte(delim)
			} else {
				b.WriteString(p.s[p.i : p.i+2])
			}
			p.i += 2
			continue
		}
		p.i++
		if ch == delim {
			break
		}
		b.WriteByte(ch)
	}
	c.repl = b.String()
	flags := ""
	for p.i < len(p.s) {
		switch ch := p.s[p.i]; {
		case ch == 'g':
			c.global = true
		case ch == 'p':
			c.print = true
		case ch == 'I' || ch == 'i':
			flags = "i"
		case ch >= '1' && ch <= '9':
			c.nth, _ = strconv.Atoi(p.digits())
			continue
		default:
			goto done
		}
		p.i++
	}
done:
	if c.nth == 0 {
		c.nth = 1
	}
	c.re, err = p.compile(raw, flags)
	return err
}

func (p *sedParser) translit(c *sedCmd) error {
	delim := p.peek()
	p.i++
	from, err := p.delimited(delim)
	if err != nil {
		return errors.New("unterminated `y' command")
	}
	to, err := p.delimited(delim)
	if err != nil {
		return errors.New("unterminated `y' command")
	}
	unescape := strings.NewReplacer(`\\`, `\`, `\t`, "\t")
	c.from, c.to = []rune(unescape.Replace(from)), []rune(unescape.Replace(to))
	if len(c.from) != len(c.to) {
		return errors.New("strings for `y' command are different lengths")
	}
	return nil
}

// text reads the argument of a, i and c: "a\" then lines, or GNU's
// one-line "a text"; a backslash at the end of a line continues it.
func (p *sedParser) text() string {
	p.skip(" \t")
	if p.peek() == '\\' {
		p.i++
		p.skip(" \t")
		if p.peek() == '\n' {
			p.i++
		}
	}
	var b strings.Builder
	for p.i < len(p.s) {
		ch := p.s[p.i]
		if ch == '\\' && p.i+1 < len(p.s) {
			b.WriteByte(p.s[p.i+1])
			p.i += 2
			continue
		}
		if ch == '\n' {
			break
		}
		b.WriteByte(ch)
		p.i++
	}
	return b.String()
}
