package main

import (
	"fmt"
	"regexp"
)

type awkParser struct {
	toks   []token
	i      int
	noGT   int
	noIn   int
	params map[string]int // of the function being parsed
}

func parseAwk(src string) (*awkProgram, error) {
	toks, err := lexAwk(src)
	if err != nil {
		return nil, err
	}
	p := &awkParser{toks: toks}
	prog := &awkProgram{funcs: map[string]*awkFunc{}}
	err = catchAwk(func() { p.program(prog) })
	if err != nil {
		return nil, err
	}
	return prog, nil
}

type awkSyntaxError struct{ msg string }

// catchAwk turns the parser's and interpreter's panics of awkSyntaxError
// into errors.
func catchAwk(f func()) (err error) {
	defer func() {
		if r := recover(); r != nil {
			e, ok := r.(awkSyntaxError)
			if !ok {
				panic(r)
			}
			err = fmt.Errorf("%s", e.msg)
		}
	}()
	f()
	return nil
}

func (p *awkParser) fail(format string, a ...any) {
	t := p.tok()
	near := t.s
	if t.kind == tNewline {
		near = "newline"
	} else if t.kind == tEOF {
		near = "end of program"
	}
	panic(awkSyntaxError{fmt.Sprintf("syntax error at line %d near %q: %s", t.line, near, fmt.Sprintf(format, a...))})
}

func (p *awkParser) tok() token { return p.toks[p.i] }
func (p *awkParser) next() token {
	t := p.toks[p.i]
	if t.kind != tEOF {
		p.i++
	}
	return t
}
func (p *awkParser) is(s string) bool {
	t := p.tok()
	return (t.kind == tPunct || t.kind == tKeyword) && t.s == s
}
func (p *awkParser) accept(s string) bool {
	if p.is(s) {
		p.i++
		return true
	}
	return false
}
func (p *awkParser) expect(s string) {
	if !p.accept(s) {
		p.fail("expected %q", s)
	}
}
func (p *awkParser) newlines() {
	for p.tok().kind == tNewline {
		p.i++
	}
}
func (p *awkParser) terminators() {
	for p.tok().kind == tNewline || p.is(";") {
		p.i++
	}
}

func (p *awkParser) program(prog *awkProgram) {
	for {
		p.terminators()
		switch {
		case p.tok().kind == tEOF:
			return
		case p.accept("BEGIN"):
			p.newlines()
			prog.begins = append(prog.begins, p.block())
		case p.accept("END"):
			p.newlines()
			prog.ends = append(prog.ends, p.block())
		case p.is("function") || p.is("func"):
			p.next()
			name := p.next()
			if name.kind != tName && name.kind != tFuncName {
				p.fail("function name expected")
			}
			p.expect("(")
			f := &awkFunc{}
			p.params = map[string]int{}
			for !p.accept(")") {
				t := p.next()
				if t.kind != tName {
					p.fail("parameter name expected")
				}
				p.params[t.s] = len(f.params)
				f.params = append(f.params, t.s)
				p.accept(",")
				p.newlines()
			}
			p.newlines()
			f.body = p.block()
			p.params = nil
			prog.funcs[name.s] = f
		default:
			it := &awkItem{}
			if !p.is("{") {
				it.pat = p.expr()
				if p.accept(",") {
					p.newlines()
					it.isRange = true
					it.pat2 = p.expr()
				}
			}
			if p.is("{") {
				it.body, it.hasBody = p.block(), true
			}
			prog.items = append(prog.items, it)
		}
	}
}

func (p *awkParser) block() []awkStmt {
	p.expect("{")
	var body []awkStmt
	for {
		p.terminators()
		if p.accept("}") {
			return body
		}
		body = append(body, p.stmt())
	}
}

// body is a statement or block as the body of if/while/for.
func (p *awkParser) body() []awkStmt {
	p.newlines()
	if p.is("{") {
		return p.block()
	}
	if p.accept(";") {
		return nil
	}
	return []awkStmt{p.stmt()}
}

func (p *awkParser) endSimple() {
	if p.is("}") || p.tok().kind == tEOF {
		return
	}
	if p.tok().kind == tNewline || p.is(";") {
		p.i++
		return
	}
	p.fail("unexpected token")
}

func (p *awkParser) stmt() awkStmt {
	t := p.tok()
	switch {
	case p.is("{"):
		return &blockStmt{p.block()}
	case p.accept("if"):
		p.expect("(")
		s := &ifStmt{c: p.expr()}
		p.expect(")")
		s.then = p.body()
		save := p.i
		p.terminators()
		if p.accept("else") {
			s.els = p.body()
		} else {
			p.i = save
		}
		return s
	case p.accept("while"):
		p.expect("(")
		s := &whileStmt{c: p.expr()}
		p.expect(")")
		if p.is(";") {
			p.next()
			return s
		}
		s.body = p.body()
		return s
	case p.accept("do"):
		s := &whileStmt{do: true, body: p.body()}
		p.terminators()
		p.expect("while")
		p.expect("(")
		s.c = p.expr()
		p.expect(")")
		p.endSimple()
		return s
	case p.accept("for"):
		p.expect("(")
		if p.tok().kind == tName && p.toks[p.i+1].kind == tKeyword && p.toks[p.i+1].s == "in" &&
			p.toks[p.i+2].kind == tName && p.toks[p.i+3].s == ")" {
			v := p.varRef(p.next().s)
			p.next()
			arr := p.varRef(p.next().s)
			p.next()
			return &forInStmt{v: v, arr: arr, body: p.body()}
		}
		s := &forStmt{}
		if !p.is(";") {
			s.init = p.simple()
		}
		p.expect(";")
		p.newlines()
		if !p.is(";") {
			s.cond = p.expr()
		}
		p.expect(";")
		p.newlines()
		if !p.is(")") {
			s.post = p.simple()
		}
		p.expect(")")
		s.body = p.body()
		return s
	case t.kind == tKeyword && (t.s == "break" || t.s == "continue" || t.s == "next" || t.s == "nextfile"):
		p.next()
		p.endSimple()
		return &ctlStmt{t.s}
	case p.accept("exit"):
		s := &exitStmt{}
		if !p.endOfSimple() {
			s.e = p.expr()
		}
		p.endSimple()
		return s
	case p.accept("return"):
		s := &returnStmt{}
		if !p.endOfSimple() {
			s.e = p.expr()
		}
		p.endSimple()
		return s
	}
	s := p.simple()
	p.endSimple()
	return s
}

func (p *awkParser) endOfSimple() bool {
	return p.is(";") || p.is("}") || p.tok().kind == tNewline || p.tok().kind == tEOF
}

// simple is print, printf, delete or an expression.
func (p *awkParser) simple() awkStmt {
	switch {
	case p.is("print") || p.is("printf"):
		s := &printStmt{printf: p.next().s == "printf"}
		p.noGT++
		if !p.endOfSimple() && !p.is(">") && !p.is(">>") && !p.is("|") {
			s.args = p.exprList()
		}
		p.noGT--
		if len(s.args) == 1 {
			if g, ok := s.args[0].(*groupList); ok {
				s.args = g.list
			}
		}
		if p.is(">") || p.is(">>") || p.is("|") {
			s.redir = p.next().s
			if s.redir == "|" {
				p.fail("output to a command is not supported in the sandbox")
			}
			p.noGT++
			s.dest = p.concat()
			p.noGT--
		}
		if s.printf && len(s.args) == 0 {
			p.fail("printf: no format")
		}
		return s
	case p.accept("delete"):
		t := p.next()
		if t.kind != tName {
			p.fail("array name expected")
		}
		s := &deleteStmt{arr: p.varRef(t.s)}
		if p.accept("[") {
			s.keys = p.exprList()
			p.expect("]")
		}
		return s
	}
	return &exprStmt{p.expr()}
}

func (p *awkParser) exprList() []awkExpr {
	list := []awkExpr{p.expr()}
	for p.accept(",") {
		p.newlines()
		list = append(list, p.expr())
	}
	return list
}

func (p *awkParser) varRef(name string) *varRef {
	if i, ok := p.params[name]; ok {
		return &varRef{name: name, local: i}
	}
	return &varRef{name: name, local: -1}
}

func isLvalue(e awkExpr) bool {
	switch e.(type) {
	case *varRef, *fieldRef, *indexRef:
		return true
	}
	return false
}

// compileERE compiles an awk (POSIX extended) regexp for Go.
func compileERE(s string) (*regexp.Regexp, error) {
	re, err := regexp.Compile(s)
	if err != nil {
		return nil, fmt.Errorf("bad regex %q: %v", s, err)
	}
	return re, nil
}
