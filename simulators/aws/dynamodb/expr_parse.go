package dynamodb

import (
	"sort"
	"strconv"
	"strings"
)

// exprContext resolves #names and :values for every expression of one
// request and records which were used: DynamoDB rejects unused ones.
type exprContext struct {
	names      map[string]string
	values     map[string]Value
	usedNames  map[string]bool
	usedValues map[string]bool
}

func newExprContext(names map[string]string, values map[string]Value) *exprContext {
	return &exprContext{names: names, values: values, usedNames: map[string]bool{}, usedValues: map[string]bool{}}
}

// checkUnused fails the request as DynamoDB does when a supplied name or
// value appears in none of its expressions.
func (c *exprContext) checkUnused() *apiError {
	if u := unused(c.values, c.usedValues); u != "" {
		return validation("Value provided in ExpressionAttributeValues unused in expressions: keys: {%s}", u)
	}
	names := map[string]bool{}
	for k := range c.names {
		names[k] = true
	}
	if u := unused(names, c.usedNames); u != "" {
		return validation("Value provided in ExpressionAttributeNames unused in expressions: keys: {%s}", u)
	}
	return nil
}

func unused[V any](all map[string]V, used map[string]bool) string {
	var out []string
	for k := range all {
		if !used[k] {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return strings.Join(out, ", ")
}

// parser is a recursive-descent parser over one expression. Errors unwind
// by panic(*apiError) and are recovered in parse; that keeps each grammar
// rule one short function.
type parser struct {
	toks []token
	i    int
	ctx  *exprContext
	what string // "ConditionExpression", "UpdateExpression", ...
	src  string
}

func parse[T any](ctx *exprContext, what, src string, rule func(*parser) T) (out T, err *apiError) {
	toks, bad, ok := lex(src)
	if !ok {
		return out, validation("Invalid %s: Invalid character encountered; character: \"%s\"", what, bad)
	}
	p := &parser{toks: toks, ctx: ctx, what: what, src: src}
	defer func() {
		if r := recover(); r != nil {
			e, ok := r.(*apiError)
			if !ok {
				panic(r)
			}
			err = e
		}
	}()
	out = rule(p)
	if p.peek().kind != tokEOF {
		p.syntax()
	}
	return out, nil
}

func (p *parser) peek() token { return p.toks[p.i] }
func (p *parser) next() token {
	t := p.toks[p.i]
	if t.kind != tokEOF {
		p.i++
	}
	return t
}

func (p *parser) fail(format string, args ...any) {
	panic(validation("Invalid %s: "+format, append([]any{p.what}, args...)...))
}

// syntax reports the current token the way DynamoDB does: the token and a
// few characters of context around it.
func (p *parser) syntax() {
	t := p.peek()
	start := 0
	if p.i > 0 {
		start = p.toks[p.i-1].pos
	}
	end := len(p.src)
	if t.kind != tokEOF {
		end = min(len(p.src), t.pos+len(t.text))
		if p.i+1 < len(p.toks) && p.toks[p.i+1].kind != tokEOF {
			end = p.toks[p.i+1].pos + len(p.toks[p.i+1].text)
		}
	}
	p.fail("Syntax error; token: \"%s\", near: \"%s\"", t.text, p.src[start:end])
}

func (p *parser) punct(s string) bool {
	if t := p.peek(); t.kind == tokPunct && t.text == s {
		p.i++
		return true
	}
	return false
}

func (p *parser) expect(s string) {
	if !p.punct(s) {
		p.syntax()
	}
}

func (p *parser) keyword(kw string) bool {
	if t := p.peek(); t.kind == tokIdent && strings.EqualFold(t.text, kw) {
		p.i++
		return true
	}
	return false
}

func (p *parser) isCall(name string) bool {
	t := p.peek()
	n := p.toks[min(p.i+1, len(p.toks)-1)]
	return t.kind == tokIdent && t.text == name && n.kind == tokPunct && n.text == "("
}

// condition := or
func parseCondition(p *parser) cond { return p.or() }

func (p *parser) or() cond {
	l := p.and()
	for p.keyword("OR") {
		l = orCond{l, p.and()}
	}
	return l
}

func (p *parser) and() cond {
	l := p.not()
	for p.keyword("AND") {
		l = andCond{l, p.not()}
	}
	return l
}

func (p *parser) not() cond {
	if p.keyword("NOT") {
		return notCond{p.not()}
	}
	return p.primary()
}

var condFuncs = []string{"attribute_exists", "attribute_not_exists", "attribute_type", "begins_with", "contains"}

func (p *parser) primary() cond {
	if p.punct("(") {
		c := p.or()
		p.expect(")")
		return c
	}
	for _, f := range condFuncs {
		if p.isCall(f) {
			return p.function(f)
		}
	}
	l := p.operand()
	switch {
	case p.keyword("BETWEEN"):
		lo := p.operand()
		if !p.keyword("AND") {
			p.syntax()
		}
		return betweenCond{l, lo, p.operand()}
	case p.keyword("IN"):
		p.expect("(")
		list := []operand{p.operand()}
		for p.punct(",") {
			list = append(list, p.operand())
		}
		p.expect(")")
		return inCond{l, list}
	}
	t := p.peek()
	switch t.text {
	case "=", "<>", "<", "<=", ">", ">=":
		if t.kind == tokPunct {
			p.i++
			return cmpCond{t.text, l, p.operand()}
		}
	}
	p.syntax()
	return nil
}

func (p *parser) function(name string) cond {
	p.i += 2 // name and "("
	f := funcCond{name: name, p: p.path()}
	switch name {
	case "attribute_type", "begins_with", "contains":
		p.expect(",")
		f.arg = p.operand()
	}
	p.expect(")")
	return f
}

// operand := :value | size(path) | path
func (p *parser) operand() operand {
	t := p.peek()
	if t.kind == tokValue {
		p.i++
		return valueOperand{p.value(t.text)}
	}
	if p.isCall("size") {
		p.i += 2
		s := sizeOperand{p.path()}
		p.expect(")")
		return s
	}
	return pathOperand{p.path()}
}

func (p *parser) value(name string) Value {
	v, ok := p.ctx.values[name]
	if !ok {
		p.fail("An expression attribute value used in expression is not defined; attribute value: %s", name)
	}
	p.ctx.usedValues[name] = true
	return v
}

// path := name ( "." name | "[" n "]" )*
func (p *parser) path() path {
	var out path
	out = append(out, pathElem{name: p.pathName()})
	for {
		switch {
		case p.punct("."):
			out = append(out, pathElem{name: p.pathName()})
		case p.punct("["):
			t := p.peek()
			if t.kind != tokNumber {
				p.syntax()
			}
			p.i++
			n, _ := strconv.Atoi(t.text)
			out = append(out, pathElem{index: n, isIndex: true})
			p.expect("]")
		default:
			return out
		}
	}
}

func (p *parser) pathName() string {
	t := p.peek()
	switch t.kind {
	case tokIdent:
		if isReserved(t.text) {
			p.fail("Attribute name is a reserved keyword; reserved keyword: %s", t.text)
		}
		p.i++
		return t.text
	case tokName:
		p.i++
		n, ok := p.ctx.names[t.text]
		if !ok {
			p.fail("An expression attribute name used in the document path is not defined; attribute name: %s", t.text)
		}
		p.ctx.usedNames[t.text] = true
		return n
	}
	p.syntax()
	return ""
}

// projection := path ("," path)*
func parseProjection(p *parser) []path {
	out := []path{p.path()}
	for p.punct(",") {
		out = append(out, p.path())
	}
	return out
}
