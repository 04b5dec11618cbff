package dynamodb

import (
	"slices"
	"strings"
)

// updateExpr is a parsed UpdateExpression.
type updateExpr struct {
	sets    []setAction
	removes []path
	adds    []setAction // value is always a plain :value operand
	deletes []setAction
}

type setAction struct {
	p path
	v setValue
}

// setValue is the right-hand side of SET: an operand, arithmetic, or one of
// the update functions. It is evaluated against the item as it was before
// the update, as DynamoDB does.
type setValue interface {
	value(old Item) (Value, *apiError)
}

type operandValue struct{ o operand }
type arith struct {
	op   string
	l, r setValue
}
type ifNotExists struct {
	p path
	v setValue
}
type listAppend struct{ a, b setValue }

var errIncorrectType = validation("An operand in the update expression has an incorrect data type")

func (o operandValue) value(old Item) (Value, *apiError) {
	v, ok := o.o.eval(old)
	if !ok {
		return Value{}, validation("The provided expression refers to an attribute that does not exist in the item")
	}
	return v, nil
}

func (a arith) value(old Item) (Value, *apiError) {
	l, err := a.l.value(old)
	if err != nil {
		return l, err
	}
	r, err := a.r.value(old)
	if err != nil {
		return r, err
	}
	if l.Kind != KindN || r.Kind != KindN {
		return Value{}, errIncorrectType
	}
	y := mustNumber(r.S)
	if a.op == "-" {
		y = y.neg()
	}
	return numberValue(mustNumber(l.S).add(y))
}

func numberValue(d decimal) (Value, *apiError) {
	if !d.valid() {
		return Value{}, validation("Number overflow. Attempting to store a number with magnitude larger than supported range")
	}
	return Value{Kind: KindN, S: d.String()}, nil
}

func (f ifNotExists) value(old Item) (Value, *apiError) {
	if v, ok := f.p.get(old); ok {
		return v, nil
	}
	return f.v.value(old)
}

func (f listAppend) value(old Item) (Value, *apiError) {
	a, err := f.a.value(old)
	if err != nil {
		return a, err
	}
	b, err := f.b.value(old)
	if err != nil {
		return b, err
	}
	if a.Kind != KindL || b.Kind != KindL {
		return Value{}, errIncorrectType
	}
	return Value{Kind: KindL, L: append(slices.Clone(a.L), b.L...)}, nil
}

// update := (SET … | REMOVE … | ADD … | DELETE …)+ , each section once.
func parseUpdate(p *parser) *updateExpr {
	u := &updateExpr{}
	seen := map[string]bool{}
	for p.peek().kind != tokEOF {
		t := p.peek()
		kw := strings.ToUpper(t.text)
		if t.kind != tokIdent || !slices.Contains([]string{"SET", "REMOVE", "ADD", "DELETE"}, kw) {
			p.syntax()
		}
		if seen[kw] {
			p.fail("The \"%s\" section can only be used once in an update expression;", kw)
		}
		seen[kw] = true
		p.i++
		for {
			switch kw {
			case "SET":
				pa := p.path()
				p.expect("=")
				u.sets = append(u.sets, setAction{pa, p.setValue()})
			case "REMOVE":
				u.removes = append(u.removes, p.path())
			case "ADD", "DELETE":
				pa := p.path()
				t := p.peek()
				if t.kind != tokValue {
					p.syntax()
				}
				p.i++
				a := setAction{pa, operandValue{valueOperand{p.value(t.text)}}}
				if kw == "ADD" {
					u.adds = append(u.adds, a)
				} else {
					u.deletes = append(u.deletes, a)
				}
			}
			if !p.punct(",") {
				break
			}
		}
	}
	if len(seen) == 0 {
		p.syntax()
	}
	return u
}

// setValue := term (("+" | "-") term)?
func (p *parser) setValue() setValue {
	l := p.setTerm()
	for _, op := range []string{"+", "-"} {
		if p.punct(op) {
			return arith{op, l, p.setTerm()}
		}
	}
	return l
}

func (p *parser) setTerm() setValue {
	switch {
	case p.isCall("if_not_exists"):
		p.i += 2
		pa := p.path()
		p.expect(",")
		v := p.setValue()
		p.expect(")")
		return ifNotExists{pa, v}
	case p.isCall("list_append"):
		p.i += 2
		a := p.setValue()
		p.expect(",")
		b := p.setValue()
		p.expect(")")
		return listAppend{a, b}
	}
	return operandValue{p.operand()}
}

// paths lists every document path the update writes, for key protection,
// overlap checks and UPDATED_OLD/UPDATED_NEW.
func (u *updateExpr) paths() []path {
	var out []path
	for _, a := range u.sets {
		out = append(out, a.p)
	}
	out = append(out, u.removes...)
	for _, a := range u.adds {
		out = append(out, a.p)
	}
	for _, a := range u.deletes {
		out = append(out, a.p)
	}
	return out
}

// check rejects updates DynamoDB rejects before looking at the item.
func (u *updateExpr) check(keys []string) *apiError {
	ps := u.paths()
	for i, a := range ps {
		if slices.Contains(keys, a[0].name) {
			return validation("One or more parameter values were invalid: Cannot update attribute %s. This attribute is part of the key", a[0].name)
		}
		for _, b := range ps[i+1:] {
			if overlaps(a, b) {
				return validation("Invalid UpdateExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [%s], path two: [%s]", a, b)
			}
		}
	}
	return nil
}

func overlaps(a, b path) bool {
	n := min(len(a), len(b))
	return slices.Equal(a[:n], b[:n])
}
