package dynamodb

import (
	"strings"
)

type tokKind int

const (
	tokEOF    tokKind = iota
	tokIdent          // attribute name or keyword
	tokName           // #alias
	tokValue          // :placeholder
	tokNumber         // list index
	tokPunct          // ( ) [ ] , . = <> < <= > >= + -
)

type token struct {
	kind tokKind
	text string
	pos  int
}

// lex splits an expression into tokens. It returns the offending text on a
// character no expression may contain.
func lex(s string) ([]token, string, bool) {
	var toks []token
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '#' || c == ':':
			j := i + 1
			for j < len(s) && isIdentChar(s[j]) {
				j++
			}
			if j == i+1 {
				return nil, string(c), false
			}
			k := tokName
			if c == ':' {
				k = tokValue
			}
			toks = append(toks, token{k, s[i:j], i})
			i = j
		case c >= '0' && c <= '9':
			j := i
			for j < len(s) && s[j] >= '0' && s[j] <= '9' {
				j++
			}
			toks = append(toks, token{tokNumber, s[i:j], i})
			i = j
		case isIdentChar(c):
			j := i
			for j < len(s) && isIdentChar(s[j]) {
				j++
			}
			toks = append(toks, token{tokIdent, s[i:j], i})
			i = j
		default:
			two := ""
			if i+1 < len(s) {
				two = s[i : i+2]
			}
			if two == "<>" || two == "<=" || two == ">=" {
				toks = append(toks, token{tokPunct, two, i})
				i += 2
				continue
			}
			if !strings.ContainsRune("()[],.=<>+-", rune(c)) {
				return nil, string(c), false
			}
			toks = append(toks, token{tokPunct, string(c), i})
			i++
		}
	}
	return append(toks, token{tokEOF, "<EOF>", len(s)}), "", true
}

func isIdentChar(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}
