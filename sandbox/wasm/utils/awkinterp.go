package main

import (
	"math"
	"math/rand"
	"regexp"
	"strconv"
	"strings"
)

// cell holds a variable: a scalar or an array.
type cell struct {
	v   value
	arr map[string]value
}

func (c *cell) array() map[string]value {
	if c.arr == nil {
		c.arr = map[string]value{}
	}
	return c.arr
}

// control-flow signals travel as panics through the tree walker.
type (
	awkBreak    struct{}
	awkContinue struct{}
	awkNext     struct{}
	awkExit     struct{}
	awkReturn   struct{ v value }
)

type awkInterp struct {
	prog    *awkProgram
	globals map[string]*cell
	frames  [][]*cell
	io      *awkIO

	record      string
	fields      []string // $1..$NF
	fieldsValid bool
	recordValid bool
	nf          int
	exitCode    int
	regexCache  map[string]*regexp.Regexp
	randSeed    float64
	rng         *rand.Rand
}

func (in *awkInterp) global(name string) *cell {
	c, ok := in.globals[name]
	if !ok {
		c = &cell{}
		in.globals[name] = c
	}
	return c
}

func (in *awkInterp) cellOf(v *varRef) *cell {
	if v.local >= 0 && len(in.frames) > 0 {
		return in.frames[len(in.frames)-1][v.local]
	}
	return in.global(v.name)
}

func (in *awkInterp) gstr(name string) string {
	return in.global(name).v.str("%.6g")
}

func (in *awkInterp) convfmt() string { return in.gstr("CONVFMT") }

func (in *awkInterp) toStr(v value) string { return v.str(in.convfmt()) }

func (in *awkInterp) regex(v awkExpr) *regexp.Regexp {
	if r, ok := v.(*regexLit); ok {
		return r.re
	}
	s := in.toStr(in.eval(v))
	re, ok := in.regexCache[s]
	if !ok {
		var err error
		if re, err = compileERE(s); err != nil {
			panic(awkSyntaxError{err.Error()})
		}
		in.regexCache[s] = re
	}
	return re
}

func (in *awkInterp) exec(body []awkStmt) {
	for _, s := range body {
		in.stmt(s)
	}
}

func (in *awkInterp) stmt(s awkStmt) {
	switch s := s.(type) {
	case *exprStmt:
		in.eval(s.e)
	case *printStmt:
		in.print(s)
	case *blockStmt:
		in.exec(s.body)
	case *ifStmt:
		if in.eval(s.c).truth() {
			in.exec(s.then)
		} else {
			in.exec(s.els)
		}
	case *whileStmt:
		if s.do {
			if in.loopBody(s.body) {
				return
			}
		}
		for in.eval(s.c).truth() {
			if in.loopBody(s.body) {
				return
			}
		}
	case *forStmt:
		if s.init != nil {
			in.stmt(s.init)
		}
		for s.cond == nil || in.eval(s.cond).truth() {
			if in.loopBody(s.body) {
				return
			}
			if s.post != nil {
				in.stmt(s.post)
			}
		}
	case *forInStmt:
		arr := in.cellOf(s.arr).array()
		keys := make([]string, 0, len(arr))
		for k := range arr {
			keys = append(keys, k)
		}
		sortKeys(keys)
		for _, k := range keys {
			if _, still := arr[k]; !still {
				continue
			}
			in.cellOf(s.v).v = strnum(k)
			if in.loopBody(s.body) {
				return
			}
		}
	case *ctlStmt:
		switch s.kind {
		case "break":
			panic(awkBreak{})
		case "continue":
			panic(awkContinue{})
		case "next":
			panic(awkNext{})
		case "nextfile":
			in.io.skipFile()
			panic(awkNext{})
		}
	case *exitStmt:
		if s.e != nil {
			in.exitCode = int(in.eval(s.e).num())
		}
		panic(awkExit{})
	case *returnStmt:
		var v value
		if s.e != nil {
			v = in.eval(s.e)
		}
		panic(awkReturn{v})
	case *deleteStmt:
		c := in.cellOf(s.arr)
		if s.keys == nil {
			c.arr = map[string]value{}
		} else {
			delete(c.array(), in.key(s.keys))
		}
	}
}

// sortKeys orders for-in keys numerically when they are numbers, so that
// split() arrays iterate in order as in most awks.
func sortKeys(keys []string) {
	less := func(a, b string) bool {
		na, ea := strconv.Atoi(a)
		nb, eb := strconv.Atoi(b)
		switch {
		case ea == nil && eb == nil:
			return na < nb
		case ea == nil:
			return true
		case eb == nil:
			return false
		}
		return a < b
	}
	for i := 1; i < len(keys); i++ {
		for j := i; j > 0 && less(keys[j], keys[j-1]); j-- {
			keys[j], keys[j-1] = keys[j-1], keys[j]
		}
	}
}

// loopBody runs one iteration; it reports a break.
func (in *awkInterp) loopBody(body []awkStmt) (broke bool) {
	tick()
	defer func() {
		if r := recover(); r != nil {
			switch r.(type) {
			case awkBreak:
				broke = true
			case awkContinue:
			default:
				panic(r)
			}
		}
	}()
	in.exec(body)
	return false
}

func (in *awkInterp) key(keys []awkExpr) string {
	if len(keys) == 1 {
		return in.toStr(in.eval(keys[0]))
	}
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = in.toStr(in.eval(k))
	}
	return strings.Join(parts, in.gstr("SUBSEP"))
}

func (in *awkInterp) get(lv awkExpr) value {
	switch lv := lv.(type) {
	case *varRef:
		if lv.local < 0 && lv.name == "NF" {
			return num(float64(in.getNF()))
		}
		return in.cellOf(lv).v
	case *fieldRef:
		return in.field(int(in.eval(lv.idx).num()))
	case *indexRef:
		arr := in.cellOf(lv.arr).array()
		k := in.key(lv.keys)
		v, ok := arr[k]
		if !ok {
			arr[k] = value{} // referencing creates the element
		}
		return v
	}
	return in.eval(lv)
}

func (in *awkInterp) set(lv awkExpr, v value) {
	switch lv := lv.(type) {
	case *varRef:
		if lv.local < 0 && lv.name == "NF" {
			in.setNF(int(v.num()))
			return
		}
		in.cellOf(lv).v = v
	case *fieldRef:
		in.setField(int(in.eval(lv.idx).num()), in.toStr(v))
	case *indexRef:
		in.cellOf(lv.arr).array()[in.key(lv.keys)] = v
	}
}

func (in *awkInterp) eval(e awkExpr) value {
	switch e := e.(type) {
	case *numLit:
		return num(e.v)
	case *strLit:
		return str(e.s)
	case *regexLit:
		return boolVal(e.re.MatchString(in.field(0).s))
	case *varRef, *fieldRef, *indexRef:
		return in.get(e)
	case *assignExpr:
		v := in.eval(e.rhs)
		if e.op != "=" {
			v = num(arith(e.op[:1], in.get(e.lhs).num(), v.num()))
		}
		in.set(e.lhs, v)
		return v
	case *condExpr:
		if in.eval(e.c).truth() {
			return in.eval(e.a)
		}
		return in.eval(e.b)
	case *binaryExpr:
		return in.binary(e)
	case *matchExpr:
		m := in.regex(e.r).MatchString(in.toStr(in.eval(e.l)))
		return boolVal(m != e.neg)
	case *inExpr:
		_, ok := in.cellOf(e.arr).array()[in.key(e.keys)]
		return boolVal(ok)
	case *unaryExpr:
		v := in.eval(e.e)
		switch e.op {
		case "!":
			return boolVal(!v.truth())
		case "-":
			return num(-v.num())
		}
		return num(v.num())
	case *incDec:
		old := in.get(e.lv).num()
		n := old + 1
		if e.op == "--" {
			n = old - 1
		}
		in.set(e.lv, num(n))
		if e.pre {
			return num(n)
		}
		return num(old)
	case *callExpr:
		return in.call(e)
	case *builtinExpr:
		return in.builtin(e)
	case *groupList:
		return str(in.key(e.list))
	case *getlineExpr:
		return in.getline(e)
	}
	panic(awkSyntaxError{"internal: unknown expression"})
}

func boolVal(b bool) value {
	if b {
		return num(1)
	}
	return num(0)
}

func arith(op string, a, b float64) float64 {
	switch op {
	case "+":
		return a + b
	case "-":
		return a - b
	case "*":
		return a * b
	case "/":
		if b == 0 {
			panic(awkSyntaxError{"division by zero"})
		}
		return a / b
	case "%":
		if b == 0 {
			panic(awkSyntaxError{"division by zero in %"})
		}
		return math.Mod(a, b)
	case "^":
		return math.Pow(a, b)
	}
	return 0
}

func (in *awkInterp) binary(e *binaryExpr) value {
	switch e.op {
	case "()":
		return in.eval(e.l)
	case "&&":
		return boolVal(in.eval(e.l).truth() && in.eval(e.r).truth())
	case "||":
		return boolVal(in.eval(e.l).truth() || in.eval(e.r).truth())
	case " ":
		l := in.toStr(in.eval(e.l))
		return str(l + in.toStr(in.eval(e.r)))
	}
	l, r := in.eval(e.l), in.eval(e.r)
	switch e.op {
	case "<":
		return boolVal(compare(l, r, in.convfmt()) < 0)
	case "<=":
		return boolVal(compare(l, r, in.convfmt()) <= 0)
	case ">":
		return boolVal(compare(l, r, in.convfmt()) > 0)
	case ">=":
		return boolVal(compare(l, r, in.convfmt()) >= 0)
	case "==":
		return boolVal(compare(l, r, in.convfmt()) == 0)
	case "!=":
		return boolVal(compare(l, r, in.convfmt()) != 0)
	}
	return num(arith(e.op, l.num(), r.num()))
}
