package main

import (
	"fmt"
	"strings"
)

// awk tokens.
type tokKind int

const (
	tEOF tokKind = iota
	tNewline
	tNumber
	tString
	tRegex
	tName
	tFuncName // a name directly followed by "(" in a call
	tBuiltin
	tKeyword
	tPunct
)

type token struct {
	kind tokKind
	s    string
	n    float64
	line int
}

var awkKeywords = map[string]bool{
	"BEGIN": true, "END": true, "function": true, "func": true, "if": true, "else": true,
	"while": true, "for": true, "do": true, "break": true, "continue": true, "next": true,
	"exit": true, "return": true, "delete": true, "in": true, "print": true, "printf": true,
	"getline": true, "nextfile": true,
}

var awkBuiltins = map[string]bool{
	"length": true, "substr": true, "index": true, "split": true, "sub": true, "gsub": true,
	"match": true, "sprintf": true, "tolower": true, "toupper": true, "int": true, "sqrt": true,
	"exp": true, "log": true, "sin": true, "cos": true, "atan2": true, "rand": true, "srand": true,
	"system": true, "close": true, "fflush": true,
}

// lexAwk splits a program into tokens; "/" starts a regex where an
// operand is expected.
func lexAwk(src string) ([]token, error) {
	var toks []token
	line := 1
	operand := func() bool {
		if len(toks) == 0 {
			return false
		}
		t := toks[len(toks)-1]
		switch t.kind {
		case tNumber, tString, tName, tBuiltin, tRegex:
			return true
		case tKeyword:
			return t.s == "getline"
		case tPunct:
			return t.s == ")" || t.s == "]" || t.s == "$" || t.s == "++" || t.s == "--"
		}
		return false
	}
	for i := 0; i < len(src); {
		c := src[i]
		switch {
		case c == '\\' && i+1 < len(src) && src[i+1] == '\n':
			i += 2
			line++
		case c == ' ' || c == '\t' || c == '\r':
			i++
		case c == '\n':
			toks = append(toks, token{kind: tNewline, line: line})
			line++
			i++
		case c == '#':
			for i < len(src) && src[i] != '\n' {
				i++
			}
		case c == '"':
			var b strings.Builder
			i++
			for ; i < len(src) && src[i] != '"'; i++ {
				if src[i] == '\\' && i+1 < len(src) {
					i++
					b.WriteString(unescapeAwk(src[i]))
					continue
				}
				b.WriteByte(src[i])
			}
			if i >= len(src) {
				return nil, fmt.Errorf("line %d: unterminated string", line)
			}
			i++
			toks = append(toks, token{kind: tString, s: b.String(), line: line})
		case c == '/' && !operand():
			var b strings.Builder
			i++
			inBracket := false
			for ; i < len(src) && (src[i] != '/' || inBracket); i++ {
				switch {
				case src[i] == '\n':
					return nil, fmt.Errorf("line %d: unterminated regex", line)
				case src[i] == '\\' && i+1 < len(src):
					if src[i+1] == '/' {
						b.WriteByte('/')
					} else {
						b.WriteString(src[i : i+2])
					}
					i++
					continue
				case src[i] == '[':
					inBracket = true
				case src[i] == ']':
					inBracket = false
				}
				b.WriteByte(src[i])
			}
			if i >= len(src) {
				return nil, fmt.Errorf("line %d: unterminated regex", line)
			}
			i++
			toks = append(toks, token{kind: tRegex, s: b.String(), line: line})
		case c >= '0' && c <= '9' || c == '.' && i+1 < len(src) && src[i+1] >= '0' && src[i+1] <= '9':
			j := i
			for j < len(src) && (src[j] >= '0' && src[j] <= '9' || src[j] == '.' ||
				(src[j] == 'e' || src[j] == 'E') && j+1 < len(src) && (src[j+1] >= '0' && src[j+1] <= '9' || src[j+1] == '-' || src[j+1] == '+') ||
				(src[j] == '-' || src[j] == '+') && j > i && (src[j-1] == 'e' || src[j-1] == 'E')) {
				j++
			}
			n, _ := toNumber(src[i:j])
			toks = append(toks, token{kind: tNumber, n: n, s: src[i:j], line: line})
			i = j
		case c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
			j := i
			for j < len(src) && (src[j] == '_' || src[j] >= 'a' && src[j] <= 'z' || src[j] >= 'A' && src[j] <= 'Z' || src[j] >= '0' && src[j] <= '9') {
				j++
			}
			w := src[i:j]
			k := tName
			switch {
			case awkKeywords[w]:
				k = tKeyword
			case awkBuiltins[w]:
				k = tBuiltin
			case j < len(src) && src[j] == '(':
				k = tFuncName
			}
			toks = append(toks, token{kind: k, s: w, line: line})
			i = j
		default:
			p := ""
			for _, op := range []string{"+=", "-=", "*=", "/=", "%=", "^=", "==", "<=", ">=", "!=", "++", "--", "&&", "||", ">>", "!~", "**"} {
				if strings.HasPrefix(src[i:], op) {
					p = op
					break
				}
			}
			if p == "" {
				if !strings.ContainsRune("{}()[];,+-*/%^!<>|?:~$=", rune(c)) {
					return nil, fmt.Errorf("line %d: unexpected character %q", line, c)
				}
				p = string(c)
			}
			i += len(p)
			if p == "**" {
				p = "^"
			}
			toks = append(toks, token{kind: tPunct, s: p, line: line})
		}
	}
	return append(toks, token{kind: tEOF, line: line}), nil
}

func unescapeAwk(c byte) string {
	switch c {
	case 'n':
		return "\n"
	case 't':
		return "\t"
	case 'r':
		return "\r"
	case '\\':
		return "\\"
	case '"':
		return "\""
	case '/':
		return "/"
	case 'a':
		return "\a"
	case 'b':
		return "\b"
	case 'f':
		return "\f"
	case 'v':
		return "\v"
	}
	return "\\" + string(c)
}
