package main

import (
	"math"
	"strconv"
	"strings"
)

type valKind uint8

// The zero value is uninitialized: "" and 0, numeric in comparisons.
const (
	kStrNum valKind = iota // input that looks like a number compares as one
	kNum
	kStr // a string constant or result
)

// value is an awk scalar.
type value struct {
	kind valKind
	s    string
	n    float64
}

func num(n float64) value { return value{kind: kNum, n: n} }
func str(s string) value  { return value{kind: kStr, s: s} }

// strnum is a value from input (fields, split, getline, -v): numeric if
// it looks like a number.
func strnum(s string) value {
	if n, ok := looksNumeric(s); ok {
		return value{kind: kStrNum, s: s, n: n}
	}
	return value{kind: kStr, s: s}
}

func looksNumeric(s string) (float64, bool) {
	t := strings.TrimSpace(s)
	if t == "" {
		return 0, false
	}
	if strings.ContainsAny(t, "xXnNiI") { // no hex, nan or inf from input
		return 0, false
	}
	n, err := strconv.ParseFloat(t, 64)
	return n, err == nil
}

// toNumber is awk's atof: the longest numeric prefix, else 0.
func toNumber(s string) (float64, bool) {
	s = strings.TrimLeft(s, " \t\n\r\f\v")
	end := 0
	digits := false
	if end < len(s) && (s[end] == '+' || s[end] == '-') {
		end++
	}
	for end < len(s) && s[end] >= '0' && s[end] <= '9' {
		end, digits = end+1, true
	}
	if end < len(s) && s[end] == '.' {
		end++
		for end < len(s) && s[end] >= '0' && s[end] <= '9' {
			end, digits = end+1, true
		}
	}
	if !digits {
		return 0, false
	}
	if end < len(s) && (s[end] == 'e' || s[end] == 'E') {
		e := end + 1
		if e < len(s) && (s[e] == '+' || s[e] == '-') {
			e++
		}
		if e < len(s) && s[e] >= '0' && s[e] <= '9' {
			for e < len(s) && s[e] >= '0' && s[e] <= '9' {
				e++
			}
			end = e
		}
	}
	n, err := strconv.ParseFloat(s[:end], 64)
	return n, err == nil
}

func (v value) num() float64 {
	if v.kind == kStr {
		n, _ := toNumber(v.s)
		return n
	}
	return v.n
}

// str converts with format (CONVFMT or OFMT); integers print as such.
func (v value) str(format string) string {
	if v.kind != kNum {
		return v.s
	}
	return numString(v.n, format)
}

func numString(n float64, format string) string {
	if n == math.Trunc(n) && math.Abs(n) < 1e16 {
		return strconv.FormatInt(int64(n), 10)
	}
	if math.IsNaN(n) {
		return "nan"
	}
	if math.IsInf(n, 0) {
		if n > 0 {
			return "inf"
		}
		return "-inf"
	}
	return awkSprintf(format, []value{num(n)})
}

func (v value) truth() bool {
	switch v.kind {
	case kNum, kStrNum:
		return v.n != 0
	}
	return v.s != ""
}

// compare orders two values: numerically when both are numbers or
// numeric input, else as strings.
func compare(a, b value, convfmt string) int {
	if a.kind != kStr && b.kind != kStr {
		switch {
		case a.n < b.n:
			return -1
		case a.n > b.n:
			return 1
		}
		return 0
	}
	return strings.Compare(a.str(convfmt), b.str(convfmt))
}
