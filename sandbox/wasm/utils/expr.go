package main

import (
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
)

func init() { register("expr", expr) }

// expr evaluates its arguments as an expression: | & = != < <= > >= + - *
// / % : (anchored BRE match), match, substr, index, length and
// parentheses. It exits 1 when the result is null or 0, 2 on errors.
func expr(args []string, _ io.Reader, stdout, stderr io.Writer) int {
	e := &exprParser{toks: args[1:]}
	v, err := e.or()
	if err == nil && e.i < len(e.toks) {
		err = fmt.Errorf("syntax error")
	}
	if err != nil {
		fmt.Fprintf(stderr, "expr: %v\n", err)
		return 2
	}
	fmt.Fprintln(stdout, v)
	if v == "" || v == "0" {
		return 1
	}
	return 0
}

type exprParser struct {
	toks []string
	i    int
}

func (e *exprParser) peek() string {
	if e.i < len(e.toks) {
		return e.toks[e.i]
	}
	return ""
}

func (e *exprParser) next() (string, error) {
	if e.i >= len(e.toks) {
		return "", fmt.Errorf("syntax error")
	}
	e.i++
	return e.toks[e.i-1], nil
}

func null(s string) bool { return s == "" || s == "0" }

func (e *exprParser) or() (string, error) {
	l, err := e.and()
	for err == nil && e.peek() == "|" {
		e.i++
		var r string
		if r, err = e.and(); err == nil && null(l) {
			l = r
			if null(r) {
				l = "0"
			}
		}
	}
	return l, err
}

func (e *exprParser) and() (string, error) {
	l, err := e.cmp()
	for err == nil && e.peek() == "&" {
		e.i++
		var r string
		if r, err = e.cmp(); err == nil && (null(l) || null(r)) {
			l = "0"
		}
	}
	return l, err
}

func (e *exprParser) cmp() (string, error) {
	l, err := e.add()
	for err == nil {
		op := e.peek()
		if op != "=" && op != "==" && op != "!=" && op != "<" && op != "<=" && op != ">" && op != ">=" {
			break
		}
		e.i++
		var r string
		if r, err = e.add(); err != nil {
			break
		}
		c := strings.Compare(l, r)
		a, aerr := strconv.ParseInt(l, 10, 64)
		b, berr := strconv.ParseInt(r, 10, 64)
		if aerr == nil && berr == nil {
			c = 0
			if a < b {
				c = -1
			} else if a > b {
				c = 1
			}
		}
		ok := map[string]bool{"=": c == 0, "==": c == 0, "!=": c != 0, "<": c < 0, "<=": c <= 0, ">": c > 0, ">=": c >= 0}[op]
		l = "0"
		if ok {
			l = "1"
		}
	}
	return l, err
}

func (e *exprParser) arith(next func() (string, error), ops string) (string, error) {
	l, err := next()
	for err == nil && len(e.peek()) == 1 && strings.Contains(ops, e.peek()) {
		op := e.peek()
		e.i++
		var r string
		if r, err = next(); err != nil {
			break
		}
		a, aerr := strconv.ParseInt(l, 10, 64)
		b, berr := strconv.ParseInt(r, 10, 64)
		if aerr != nil || berr != nil {
			return "", fmt.Errorf("non-integer argument")
		}
		switch op {
		case "+":
			a += b
		case "-":
			a -= b
		case "*":
			a *= b
		case "/", "%":
			if b == 0 {
				return "", fmt.Errorf("division by zero")
			}
			if op == "/" {
				a /= b
			} else {
				a %= b
			}
		}
		l = strconv.FormatInt(a, 10)
	}
	return l, err
}

func (e *exprParser) add() (string, error) { return e.arith(e.mul, "+-") }
func (e *exprParser) mul() (string, error) { return e.arith(e.match, "*/%") }

func (e *exprParser) match() (string, error) {
	l, err := e.unary()
	for err == nil && e.peek() == ":" {
		e.i++
		var r string
		if r, err = e.unary(); err == nil {
			l, err = matchRE(l, r)
		}
	}
	return l, err
}

// matchRE is expr's ":": the BRE is anchored at the start; the result is
// the first group, or the length of the match.
func matchRE(s, pattern string) (string, error) {
	re, err := regexp.Compile("^(?:" + breToERE(pattern) + ")")
	if err != nil {
		return "", fmt.Errorf("invalid regular expression")
	}
	m := re.FindStringSubmatchIndex(s)
	if re.NumSubexp() > 0 {
		if m == nil || m[2] < 0 {
			return "", nil
		}
		return s[m[2]:m[3]], nil
	}
	if m == nil {
		return "0", nil
	}
	return strconv.Itoa(len([]rune(s[:m[1]]))), nil
}

func (e *exprParser) unary() (string, error) {
	t, err := e.next()
	if err != nil {
		return "", err
	}
	switch t {
	case "(":
		v, err := e.or()
		if err != nil {
			return "", err
		}
		if c, _ := e.next(); c != ")" {
			return "", fmt.Errorf("syntax error")
		}
		return v, nil
	case "+":
		return e.next()
	case "length":
		s, err := e.unary()
		return strconv.Itoa(len([]rune(s))), err
	case "match":
		s, err := e.unary()
		if err != nil {
			return "", err
		}
		p, err := e.unary()
		if err != nil {
			return "", err
		}
		return matchRE(s, p)
	case "index":
		s, err := e.unary()
		if err != nil {
			return "", err
		}
		chars, err := e.unary()
		return strconv.Itoa(strings.IndexAny(s, chars) + 1), err
	case "substr":
		s, err := e.unary()
		if err != nil {
			return "", err
		}
		ps, err := e.unary()
		if err != nil {
			return "", err
		}
		ls, err := e.unary()
		if err != nil {
			return "", err
		}
		pos, perr := strconv.Atoi(ps)
		n, lerr := strconv.Atoi(ls)
		r := []rune(s)
		if perr != nil || lerr != nil || pos < 1 || n < 1 || pos > len(r) {
			return "", nil
		}
		end := min(pos-1+n, len(r))
		return string(r[pos-1 : end]), nil
	}
	return t, nil
}
