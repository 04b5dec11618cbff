package main

// Expression parsing, lowest precedence first: assignment, ?:, ||, &&,
// in, ~, comparison, concatenation, + -, * / %, unary, ^, ++ --, $.

func (p *awkParser) expr() awkExpr {
	lhs := p.ternary()
	if t := p.tok(); t.kind == tPunct && isLvalue(lhs) {
		switch t.s {
		case "=", "+=", "-=", "*=", "/=", "%=", "^=":
			p.next()
			p.newlines()
			return &assignExpr{lhs: lhs, op: t.s, rhs: p.expr()}
		}
	}
	return lhs
}

func (p *awkParser) ternary() awkExpr {
	c := p.or()
	if p.accept("?") {
		p.newlines()
		a := p.expr()
		p.newlines()
		p.expect(":")
		p.newlines()
		return &condExpr{c: c, a: a, b: p.expr()}
	}
	return c
}

func (p *awkParser) or() awkExpr {
	l := p.and()
	for p.accept("||") {
		p.newlines()
		l = &binaryExpr{op: "||", l: l, r: p.and()}
	}
	return l
}

func (p *awkParser) and() awkExpr {
	l := p.in()
	for p.accept("&&") {
		p.newlines()
		l = &binaryExpr{op: "&&", l: l, r: p.in()}
	}
	return l
}

func (p *awkParser) in() awkExpr {
	l := p.match()
	for p.noIn == 0 && p.is("in") {
		p.next()
		t := p.next()
		if t.kind != tName {
			p.fail("array name expected after in")
		}
		keys := []awkExpr{l}
		if g, ok := l.(*groupList); ok {
			keys = g.list
		}
		l = &inExpr{keys: keys, arr: p.varRef(t.s)}
	}
	return l
}

func (p *awkParser) match() awkExpr {
	l := p.compare()
	for p.is("~") || p.is("!~") {
		neg := p.next().s == "!~"
		l = &matchExpr{neg: neg, l: l, r: p.compare()}
	}
	return l
}

func (p *awkParser) compare() awkExpr {
	l := p.concat()
	t := p.tok()
	if t.kind == tPunct {
		switch t.s {
		case "<", "<=", "!=", "==", ">=", ">":
			if t.s == ">" && p.noGT > 0 {
				return l
			}
			p.next()
			return &binaryExpr{op: t.s, l: l, r: p.concat()}
		}
	}
	return l
}

// startsConcat reports whether the next token begins an operand that
// concatenates with the one before.
func (p *awkParser) startsConcat() bool {
	t := p.tok()
	switch t.kind {
	case tNumber, tString, tRegex, tName, tFuncName, tBuiltin:
		return true
	case tKeyword:
		return false
	case tPunct:
		// "-" and "+" are binary here, "!" too ambiguous: a !b is not concat.
		return t.s == "$" || t.s == "(" || t.s == "++" || t.s == "--"
	}
	return false
}

func (p *awkParser) concat() awkExpr {
	l := p.additive()
	for p.startsConcat() {
		l = &binaryExpr{op: " ", l: l, r: p.additive()}
	}
	return l
}

func (p *awkParser) additive() awkExpr {
	l := p.multiplicative()
	for p.is("+") || p.is("-") {
		op := p.next().s
		l = &binaryExpr{op: op, l: l, r: p.multiplicative()}
	}
	return l
}

func (p *awkParser) multiplicative() awkExpr {
	l := p.unary()
	for p.is("*") || p.is("/") || p.is("%") {
		op := p.next().s
		l = &binaryExpr{op: op, l: l, r: p.unary()}
	}
	return l
}

func (p *awkParser) unary() awkExpr {
	switch {
	case p.is("!"), p.is("-"), p.is("+"):
		op := p.next().s
		return &unaryExpr{op: op, e: p.unary()}
	}
	return p.power()
}

func (p *awkParser) power() awkExpr {
	l := p.postfix()
	if p.accept("^") {
		return &binaryExpr{op: "^", l: l, r: p.unaryPow()}
	}
	return l
}

// unaryPow is the right operand of ^: right associative, signs allowed.
func (p *awkParser) unaryPow() awkExpr {
	if p.is("-") || p.is("+") || p.is("!") {
		op := p.next().s
		return &unaryExpr{op: op, e: p.unaryPow()}
	}
	return p.power()
}

func (p *awkParser) postfix() awkExpr {
	e := p.primary()
	if isLvalue(e) && (p.is("++") || p.is("--")) {
		return &incDec{op: p.next().s, lv: e}
	}
	return e
}

func (p *awkParser) primary() awkExpr {
	t := p.next()
	switch t.kind {
	case tNumber:
		return &numLit{t.n}
	case tString:
		return &strLit{t.s}
	case tRegex:
		re, err := compileERE(t.s)
		if err != nil {
			p.i--
			p.fail("%v", err)
		}
		return &regexLit{re}
	case tName:
		if p.accept("[") {
			keys := p.exprList()
			p.expect("]")
			return &indexRef{arr: p.varRef(t.s), keys: keys}
		}
		return p.varRef(t.s)
	case tFuncName:
		p.expect("(")
		var args []awkExpr
		p.newlines()
		if !p.is(")") {
			args = p.exprList()
		}
		p.newlines()
		p.expect(")")
		return &callExpr{name: t.s, args: args}
	case tBuiltin:
		b := &builtinExpr{name: t.s}
		if p.accept("(") {
			p.newlines()
			if !p.is(")") {
				b.args = p.exprList()
			}
			p.newlines()
			p.expect(")")
		} else if t.s != "length" {
			p.i--
			p.fail("( expected after %s", t.s)
		}
		return b
	case tKeyword:
		if t.s == "getline" {
			g := &getlineExpr{}
			if p.tok().kind == tName || p.is("$") {
				g.lv = p.primary()
			}
			if p.accept("<") {
				g.file = p.primary()
			}
			return g
		}
	case tPunct:
		switch t.s {
		case "$":
			if p.is("++") || p.is("--") {
				op := p.next().s
				return &fieldRef{&incDec{pre: true, op: op, lv: p.primary()}}
			}
			if p.is("-") {
				p.next()
				return &fieldRef{&unaryExpr{op: "-", e: p.primary()}}
			}
			return &fieldRef{p.primary()}
		case "(":
			saveGT, saveIn := p.noGT, p.noIn
			p.noGT, p.noIn = 0, 0
			list := p.exprList()
			p.noGT, p.noIn = saveGT, saveIn
			p.newlines()
			p.expect(")")
			if len(list) > 1 {
				return &groupList{list}
			}
			return &binaryExpr{op: "()", l: list[0]}
		case "++", "--":
			lv := p.primary()
			if !isLvalue(lv) {
				p.fail("++ or -- needs a variable")
			}
			return &incDec{pre: true, op: t.s, lv: lv}
		case "-", "+", "!":
			return &unaryExpr{op: t.s, e: p.unary()}
		}
	}
	p.i--
	p.fail("unexpected token")
	return nil
}
