package dockerfile

import (
	"fmt"
	"strings"
	"unicode"
)

// Lookup finds a variable's value for expansion.
type Lookup func(name string) (string, bool)

// Word expands variables in s and removes its quotes, keeping
// whitespace, as Docker does for WORKDIR, USER and the like.
func Word(s string, escape rune, env Lookup) (string, error) {
	ws, err := lex(s, escape, env, false)
	if err != nil {
		return "", err
	}
	return strings.Join(ws, ""), nil
}

// Words splits s on unquoted whitespace, expanding variables and
// removing quotes in each word, as Docker does for COPY sources and
// ENV pairs.
func Words(s string, escape rune, env Lookup) ([]string, error) {
	return lex(s, escape, env, true)
}

type lexer struct {
	rs     []rune
	i      int
	escape rune
	env    Lookup
}

func lex(s string, escape rune, env Lookup, split bool) ([]string, error) {
	l := &lexer{rs: []rune(s), escape: escape, env: env}
	var (
		out  []string
		cur  strings.Builder
		word bool // cur holds a word, possibly empty ("")
	)
	for l.i < len(l.rs) {
		c := l.rs[l.i]
		switch {
		case split && unicode.IsSpace(c):
			l.i++
			if word {
				out = append(out, cur.String())
				cur.Reset()
				word = false
			}
		case c == '\'':
			l.i++
			end := indexFrom(l.rs, l.i, '\'')
			if end < 0 {
				return nil, fmt.Errorf("unexpected end of statement while looking for matching single-quote")
			}
			cur.WriteString(string(l.rs[l.i:end]))
			l.i, word = end+1, true
		case c == '"':
			l.i++
			if err := l.double(&cur); err != nil {
				return nil, err
			}
			word = true
		case c == l.escape:
			l.i++
			if l.i < len(l.rs) {
				cur.WriteRune(l.rs[l.i])
				l.i++
			}
			word = true
		case c == '$':
			v, err := l.dollar()
			if err != nil {
				return nil, err
			}
			cur.WriteString(v)
			// An unquoted expansion to nothing is no word, as in sh.
			word = word || v != ""
		default:
			cur.WriteRune(c)
			l.i++
			word = true
		}
	}
	if word || !split {
		out = append(out, cur.String())
	}
	return out, nil
}

func indexFrom(rs []rune, from int, c rune) int {
	for i := from; i < len(rs); i++ {
		if rs[i] == c {
			return i
		}
	}
	return -1
}

// double reads a double-quoted string up to its closing quote.
func (l *lexer) double(cur *strings.Builder) error {
	for l.i < len(l.rs) {
		c := l.rs[l.i]
		switch {
		case c == '"':
			l.i++
			return nil
		case c == l.escape && l.i+1 < len(l.rs):
			next := l.rs[l.i+1]
			// Inside double quotes the escape only escapes what the
			// quotes would otherwise give meaning to.
			if next == '"' || next == '$' || next == l.escape {
				cur.WriteRune(next)
				l.i += 2
				continue
			}
			cur.WriteRune(c)
			l.i++
		case c == '$':
			v, err := l.dollar()
			if err != nil {
				return err
			}
			cur.WriteString(v)
		default:
			cur.WriteRune(c)
			l.i++
		}
	}
	return fmt.Errorf("unexpected end of statement while looking for matching double-quote")
}

// dollar expands $NAME or ${NAME[op word]} at l.i (a '$').
func (l *lexer) dollar() (string, error) {
	l.i++
	if l.i >= len(l.rs) {
		return "$", nil
	}
	if l.rs[l.i] != '{' {
		start := l.i
		for l.i < len(l.rs) && isNameRune(l.rs[l.i], l.i == start) {
			l.i++
		}
		if l.i == start {
			return "$", nil
		}
		v, _ := l.env(string(l.rs[start:l.i]))
		return v, nil
	}
	// ${...}: find the matching brace, nested expansions included.
	depth, end := 0, -1
	for j := l.i; j < len(l.rs); j++ {
		switch l.rs[j] {
		case '{':
			depth++
		case '}':
			depth--
		}
		if depth == 0 {
			end = j
			break
		}
	}
	if end < 0 {
		return "", fmt.Errorf("missing '}' in %q", string(l.rs[l.i-1:]))
	}
	inner := string(l.rs[l.i+1 : end])
	l.i = end + 1
	name := inner
	k := 0
	for k < len(inner) && isNameRune(rune(inner[k]), k == 0) {
		k++
	}
	name, op := inner[:k], inner[k:]
	if name == "" {
		return "", fmt.Errorf("bad substitution: ${%s}", inner)
	}
	val, set := l.env(name)
	if op == "" {
		return val, nil
	}
	colon := strings.HasPrefix(op, ":")
	op = strings.TrimPrefix(op, ":")
	if op == "" {
		return "", fmt.Errorf("bad substitution: ${%s}", inner)
	}
	present := set && (!colon || val != "")
	word := func() (string, error) { return Word(op[1:], l.escape, l.env) }
	switch op[0] {
	case '-':
		if present {
			return val, nil
		}
		return word()
	case '+':
		if present {
			return word()
		}
		return "", nil
	case '?':
		if present {
			return val, nil
		}
		msg, err := word()
		if err != nil {
			return "", err
		}
		if msg == "" {
			msg = "is not allowed to be unset"
		}
		return "", fmt.Errorf("%s: %s", name, msg)
	}
	return "", fmt.Errorf("unsupported modifier (%c) in substitution: ${%s}", op[0], inner)
}

func isNameRune(r rune, first bool) bool {
	return r == '_' || unicode.IsLetter(r) || (!first && unicode.IsDigit(r))
}
