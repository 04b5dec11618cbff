package main

import (
	"fmt"
	"math"
	"math/rand"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

func (in *awkInterp) print(s *printStmt) {
	w := in.io.stdout
	if s.dest != nil {
		name := in.toStr(in.eval(s.dest))
		var err error
		if w, err = in.io.writer(s.redir, name); err != nil {
			panic(awkSyntaxError{fmt.Sprintf("can't redirect to %s: %s", name, errText(err))})
		}
	}
	if s.printf {
		vals := make([]value, len(s.args)-1)
		for i, a := range s.args[1:] {
			vals[i] = in.eval(a)
		}
		io := awkSprintf(in.toStr(in.eval(s.args[0])), vals)
		fmt.Fprint(w, io)
		return
	}
	var b strings.Builder
	if len(s.args) == 0 {
		b.WriteString(in.field(0).s)
	}
	ofmt := in.gstr("OFMT")
	for i, a := range s.args {
		if i > 0 {
			b.WriteString(in.gstr("OFS"))
		}
		b.WriteString(in.eval(a).str(ofmt))
	}
	b.WriteString(in.gstr("ORS"))
	fmt.Fprint(w, b.String())
}

func (in *awkInterp) getline(g *getlineExpr) value {
	var rec string
	status := 1
	if g.file != nil {
		rec, status = in.io.getline(in.toStr(in.eval(g.file)))
	} else {
		var ok bool
		if rec, ok = in.io.readRecord(); !ok {
			status = 0
		} else {
			in.bump()
		}
	}
	if status <= 0 {
		return num(float64(status))
	}
	if g.lv == nil {
		in.setRecord(rec)
	} else {
		in.set(g.lv, strnum(rec))
	}
	return num(1)
}

// bump counts a record read from the main input.
func (in *awkInterp) bump() {
	in.global("NR").v = num(in.global("NR").v.num() + 1)
	in.global("FNR").v = num(in.global("FNR").v.num() + 1)
}

func (in *awkInterp) builtin(e *builtinExpr) value {
	arg := func(i int) value {
		if i < len(e.args) {
			return in.eval(e.args[i])
		}
		return value{}
	}
	need := func(n int) {
		if len(e.args) < n {
			panic(awkSyntaxError{fmt.Sprintf("%s: not enough arguments", e.name)})
		}
	}
	switch e.name {
	case "length":
		if len(e.args) == 0 {
			return num(float64(utf8.RuneCountInString(in.field(0).s)))
		}
		if v, ok := e.args[0].(*varRef); ok {
			if c := in.cellOf(v); c.arr != nil {
				return num(float64(len(c.arr)))
			}
		}
		return num(float64(utf8.RuneCountInString(in.toStr(arg(0)))))
	case "substr":
		need(2)
		r := []rune(in.toStr(arg(0)))
		start := math.Round(arg(1).num())
		end := math.Inf(1)
		if len(e.args) > 2 {
			end = start + math.Round(arg(2).num())
		}
		start = math.Max(start, 1)
		end = math.Min(end, float64(len(r)+1))
		if end <= start {
			return str("")
		}
		return str(string(r[int(start)-1 : int(end)-1]))
	case "index":
		need(2)
		s, t := in.toStr(arg(0)), in.toStr(arg(1))
		i := strings.Index(s, t)
		if i < 0 {
			return num(0)
		}
		return num(float64(utf8.RuneCountInString(s[:i]) + 1))
	case "split":
		need(2)
		s := in.toStr(arg(0))
		v, ok := e.args[1].(*varRef)
		if !ok {
			panic(awkSyntaxError{"split: second argument must be an array"})
		}
		var parts []string
		if len(e.args) > 2 {
			if re, ok := e.args[2].(*regexLit); ok {
				if s != "" {
					parts = re.re.Split(s, -1)
				}
			} else {
				parts = splitFields(s, in.toStr(arg(2)), in.regexCache)
			}
		} else {
			parts = splitFields(s, in.gstr("FS"), in.regexCache)
		}
		c := in.cellOf(v)
		c.arr = map[string]value{}
		for i, p := range parts {
			c.arr[strconv.Itoa(i+1)] = strnum(p)
		}
		return num(float64(len(parts)))
	case "sub", "gsub":
		need(2)
		re := in.regex(e.args[0])
		repl := in.toStr(arg(1))
		var target awkExpr = &fieldRef{&numLit{0}}
		if len(e.args) > 2 {
			target = e.args[2]
		}
		s := in.toStr(in.get(target))
		out, n := awkSub(re.FindAllStringIndex(s, -1), s, repl, e.name == "gsub")
		if n > 0 {
			in.set(target, str(out))
		}
		return num(float64(n))
	case "match":
		need(2)
		s := in.toStr(arg(0))
		m := in.regex(e.args[1]).FindStringIndex(s)
		start, length := 0, -1
		if m != nil {
			start, length = utf8.RuneCountInString(s[:m[0]])+1, utf8.RuneCountInString(s[m[0]:m[1]])
		}
		in.global("RSTART").v, in.global("RLENGTH").v = num(float64(start)), num(float64(length))
		return num(float64(start))
	case "sprintf":
		need(1)
		vals := make([]value, len(e.args)-1)
		for i := range vals {
			vals[i] = arg(i + 1)
		}
		return str(awkSprintf(in.toStr(arg(0)), vals))
	case "tolower":
		return str(strings.ToLower(in.toStr(arg(0))))
	case "toupper":
		return str(strings.ToUpper(in.toStr(arg(0))))
	case "int":
		return num(math.Trunc(arg(0).num()))
	case "sqrt":
		return num(math.Sqrt(arg(0).num()))
	case "exp":
		return num(math.Exp(arg(0).num()))
	case "log":
		return num(math.Log(arg(0).num()))
	case "sin":
		return num(math.Sin(arg(0).num()))
	case "cos":
		return num(math.Cos(arg(0).num()))
	case "atan2":
		return num(math.Atan2(arg(0).num(), arg(1).num()))
	case "rand":
		return num(in.rng.Float64())
	case "srand":
		prev := in.randSeed
		in.randSeed = float64(time.Now().Unix())
		if len(e.args) > 0 {
			in.randSeed = arg(0).num()
		}
		in.rng = rand.New(rand.NewSource(int64(in.randSeed)))
		return num(prev)
	case "close":
		return num(float64(in.io.close(in.toStr(arg(0)))))
	case "fflush":
		in.io.flush()
		return num(0)
	case "system":
		in.io.flush()
		return num(float64(runChild(in.io.stdout, []string{"sh", "-c", in.toStr(arg(0))}, false)))
	}
	panic(awkSyntaxError{"unknown function " + e.name})
}

// awkSub replaces the first (or every) match; & in repl is the match and
// \& a literal &.
func awkSub(ms [][]int, s, repl string, global bool) (string, int) {
	if len(ms) == 0 {
		return s, 0
	}
	if !global {
		ms = ms[:1]
	}
	var b strings.Builder
	prev := 0
	for _, m := range ms {
		b.WriteString(s[prev:m[0]])
		for i := 0; i < len(repl); i++ {
			switch {
			case repl[i] == '\\' && i+1 < len(repl) && (repl[i+1] == '&' || repl[i+1] == '\\'):
				i++
				b.WriteByte(repl[i])
			case repl[i] == '&':
				b.WriteString(s[m[0]:m[1]])
			default:
				b.WriteByte(repl[i])
			}
		}
		prev = m[1]
	}
	b.WriteString(s[prev:])
	return b.String(), len(ms)
}

// awkSprintf formats like C's printf with awk's conversions: numbers for
// d i o x X u c e E f g G, strings for s; %c of a number is a character.
func awkSprintf(format string, args []value) string {
	var b strings.Builder
	next := func() (value, bool) {
		if len(args) == 0 {
			return value{}, false
		}
		v := args[0]
		args = args[1:]
		return v, true
	}
	for i := 0; i < len(format); i++ {
		c := format[i]
		if c != '%' {
			b.WriteByte(c)
			continue
		}
		if i+1 < len(format) && format[i+1] == '%' {
			b.WriteByte('%')
			i++
			continue
		}
		start := i
		j := i + 1
		spec := "%"
		for j < len(format) && strings.IndexByte("-+ #0", format[j]) >= 0 {
			spec += string(format[j])
			j++
		}
		for j < len(format) && (format[j] >= '0' && format[j] <= '9' || format[j] == '.' || format[j] == '*') {
			if format[j] == '*' {
				v, _ := next()
				spec += strconv.Itoa(int(v.num()))
			} else {
				spec += string(format[j])
			}
			j++
		}
		for j < len(format) && strings.IndexByte("hlLqjzt", format[j]) >= 0 {
			j++
		}
		if j >= len(format) {
			b.WriteString(format[i:])
			break
		}
		verb := format[j]
		i = j
		v, _ := next()
		switch verb {
		case 'd', 'i', 'u':
			n := v.num()
			if math.IsNaN(n) || math.IsInf(n, 0) {
				fmt.Fprintf(&b, strings.Replace(spec, "0", "", 1)+"f", n)
				continue
			}
			fmt.Fprintf(&b, spec+"d", int64(n))
		case 'o', 'x', 'X':
			fmt.Fprintf(&b, spec+string(verb), int64(v.num()))
		case 'e', 'E', 'f', 'F', 'g', 'G':
			fmt.Fprintf(&b, spec+string(verb), v.num())
		case 'c':
			if v.kind == kNum {
				fmt.Fprintf(&b, spec+"c", rune(int(v.num())))
			} else {
				r, _ := utf8.DecodeRuneInString(v.s)
				if v.s == "" {
					fmt.Fprintf(&b, spec+"s", "")
				} else {
					fmt.Fprintf(&b, spec+"c", r)
				}
			}
		case 's':
			fmt.Fprintf(&b, spec+"s", v.str("%.6g"))
		default:
			b.WriteString(format[start : j+1])
		}
	}
	return b.String()
}
