package dynamodb

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// path is a document path: a top-level name followed by map keys and list
// indexes.
type path []pathElem

type pathElem struct {
	name    string
	index   int
	isIndex bool
}

func (p path) String() string {
	var b strings.Builder
	for i, e := range p {
		switch {
		case e.isIndex:
			b.WriteString("[" + strconv.Itoa(e.index) + "]")
		case i > 0:
			b.WriteString("." + e.name)
		default:
			b.WriteString(e.name)
		}
	}
	return b.String()
}

// get resolves p in it.
func (p path) get(it Item) (Value, bool) {
	v, ok := it[p[0].name]
	for _, e := range p[1:] {
		if !ok {
			return Value{}, false
		}
		switch {
		case e.isIndex && v.Kind == KindL && e.index < len(v.L):
			v = v.L[e.index]
		case !e.isIndex && v.Kind == KindM:
			v, ok = v.M[e.name]
		default:
			return Value{}, false
		}
	}
	return v, ok
}

type operand interface {
	eval(it Item) (Value, bool)
}

type pathOperand struct{ p path }
type valueOperand struct{ v Value }
type sizeOperand struct{ p path }

func (o pathOperand) eval(it Item) (Value, bool)  { return o.p.get(it) }
func (o valueOperand) eval(it Item) (Value, bool) { return o.v, true }

// eval gives size() as a number; types without a size make the
// comparison that uses it false.
func (o sizeOperand) eval(it Item) (Value, bool) {
	v, ok := o.p.get(it)
	if !ok {
		return Value{}, false
	}
	var n int
	switch v.Kind {
	case KindS:
		n = utf8.RuneCountInString(v.S)
	case KindB:
		n = len(v.B)
	case KindM:
		n = len(v.M)
	case KindL:
		n = len(v.L)
	case KindSS, KindNS, KindBS:
		n = len(v.Set)
	default:
		return Value{}, false
	}
	return Value{Kind: KindN, S: strconv.Itoa(n)}, true
}

type cond interface {
	test(it Item) bool
}

type cmpCond struct {
	op   string
	l, r operand
}
type betweenCond struct{ v, lo, hi operand }
type inCond struct {
	v    operand
	list []operand
}
type funcCond struct {
	name string
	p    path
	arg  operand
}
type andCond struct{ l, r cond }
type orCond struct{ l, r cond }
type notCond struct{ c cond }

func (c andCond) test(it Item) bool { return c.l.test(it) && c.r.test(it) }
func (c orCond) test(it Item) bool  { return c.l.test(it) || c.r.test(it) }
func (c notCond) test(it Item) bool { return !c.c.test(it) }

// test compares; a missing operand is unequal to everything, so only <>
// holds for it.
func (c cmpCond) test(it Item) bool {
	l, lok := c.l.eval(it)
	r, rok := c.r.eval(it)
	if !lok || !rok {
		return c.op == "<>"
	}
	switch c.op {
	case "=":
		return equal(l, r)
	case "<>":
		return !equal(l, r)
	}
	n, ok := compare(l, r)
	if !ok {
		return false
	}
	switch c.op {
	case "<":
		return n < 0
	case "<=":
		return n <= 0
	case ">":
		return n > 0
	default:
		return n >= 0
	}
}

func (c betweenCond) test(it Item) bool {
	v, ok1 := c.v.eval(it)
	lo, ok2 := c.lo.eval(it)
	hi, ok3 := c.hi.eval(it)
	if !ok1 || !ok2 || !ok3 {
		return false
	}
	a, ok1 := compare(lo, v)
	b, ok2 := compare(v, hi)
	return ok1 && ok2 && a <= 0 && b <= 0
}

func (c inCond) test(it Item) bool {
	v, ok := c.v.eval(it)
	if !ok {
		return false
	}
	for _, o := range c.list {
		if x, ok := o.eval(it); ok && equal(v, x) {
			return true
		}
	}
	return false
}

func (c funcCond) test(it Item) bool {
	v, ok := c.p.get(it)
	switch c.name {
	case "attribute_exists":
		return ok
	case "attribute_not_exists":
		return !ok
	}
	a, aok := c.arg.eval(it)
	if !ok || !aok {
		return false
	}
	switch c.name {
	case "attribute_type":
		return a.Kind == KindS && string(v.Kind) == a.S
	case "begins_with":
		switch {
		case v.Kind == KindS && a.Kind == KindS:
			return strings.HasPrefix(v.S, a.S)
		case v.Kind == KindB && a.Kind == KindB:
			return strings.HasPrefix(string(v.B), string(a.B))
		}
		return false
	default: // contains
		return contains(v, a)
	}
}

func contains(v, a Value) bool {
	switch v.Kind {
	case KindS:
		return a.Kind == KindS && strings.Contains(v.S, a.S)
	case KindB:
		return a.Kind == KindB && strings.Contains(string(v.B), string(a.B))
	case KindSS, KindNS:
		want := map[Kind]Kind{KindSS: KindS, KindNS: KindN}[v.Kind]
		return a.Kind == want && containsString(v.Set, a.S)
	case KindBS:
		return a.Kind == KindB && containsString(v.Set, string(a.B))
	case KindL:
		for _, x := range v.L {
			if equal(x, a) {
				return true
			}
		}
	}
	return false
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// project builds the item holding only the given paths, as
// ProjectionExpression and UPDATED_OLD/UPDATED_NEW return it.
func project(it Item, paths []path) Item {
	out := Item{}
	for _, p := range paths {
		v, ok := p.get(it)
		if !ok {
			continue
		}
		if len(p) == 1 {
			out[p[0].name] = v.clone()
			continue
		}
		out = projectInto(Value{Kind: KindM, M: out}, p, v).M
	}
	return out
}

// projectInto copies v at p into dst, creating the containers on the way;
// projected list elements are compacted, as DynamoDB does.
func projectInto(dst Value, p path, v Value) Value {
	e := p[0]
	if e.isIndex {
		if dst.Kind != KindL {
			dst = Value{Kind: KindL}
		}
		if len(p) == 1 {
			dst.L = append(dst.L, v.clone())
		} else {
			dst.L = append(dst.L, projectInto(Value{}, p[1:], v))
		}
		return dst
	}
	if dst.Kind != KindM {
		dst = Value{Kind: KindM, M: map[string]Value{}}
	}
	if len(p) == 1 {
		dst.M[e.name] = v.clone()
	} else {
		dst.M[e.name] = projectInto(dst.M[e.name], p[1:], v)
	}
	return dst
}
