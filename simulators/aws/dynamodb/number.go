package dynamodb

import (
	"math/big"
	"strings"
)

// decimal is an exact DynamoDB number: mant × 10^exp. DynamoDB numbers carry
// up to 38 significant digits, so float64 would reorder and round them.
type decimal struct {
	mant *big.Int
	exp  int
}

var bigTen = big.NewInt(10)

// parseNumber accepts the forms DynamoDB accepts: optional sign, digits,
// optional fraction, optional exponent.
func parseNumber(s string) (decimal, bool) {
	t := strings.TrimSpace(s)
	if t == "" {
		return decimal{}, false
	}
	exp := 0
	if i := strings.IndexAny(t, "eE"); i >= 0 {
		e, ok := parseExp(t[i+1:])
		if !ok {
			return decimal{}, false
		}
		exp, t = e, t[:i]
	}
	neg := false
	if t != "" && (t[0] == '+' || t[0] == '-') {
		neg, t = t[0] == '-', t[1:]
	}
	intPart, frac, _ := strings.Cut(t, ".")
	digits := intPart + frac
	if digits == "" {
		return decimal{}, false
	}
	for _, c := range digits {
		if c < '0' || c > '9' {
			return decimal{}, false
		}
	}
	m, _ := new(big.Int).SetString(digits, 10)
	if neg {
		m.Neg(m)
	}
	return decimal{mant: m, exp: exp - len(frac)}.norm(), true
}

func parseExp(s string) (int, bool) {
	if s == "" {
		return 0, false
	}
	n, neg := 0, false
	if s[0] == '+' || s[0] == '-' {
		neg, s = s[0] == '-', s[1:]
	}
	if s == "" || len(s) > 6 {
		return 0, false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	if neg {
		n = -n
	}
	return n, true
}

// norm strips trailing zeros from the mantissa so equal numbers have one form.
func (d decimal) norm() decimal {
	if d.mant.Sign() == 0 {
		return decimal{mant: new(big.Int), exp: 0}
	}
	m := new(big.Int).Set(d.mant)
	r := new(big.Int)
	q := new(big.Int)
	for {
		q.QuoRem(m, bigTen, r)
		if r.Sign() != 0 {
			break
		}
		m.Set(q)
		d.exp++
	}
	return decimal{mant: m, exp: d.exp}
}

// digits is the number of significant digits.
func (d decimal) digits() int {
	s := d.mant.String()
	return len(strings.TrimPrefix(s, "-"))
}

// valid reports whether d fits DynamoDB's range: 38 significant digits,
// magnitude between 1E-130 and 9.99…E+125.
func (d decimal) valid() bool {
	if d.mant.Sign() == 0 {
		return true
	}
	n := d.digits()
	top := d.exp + n - 1 // exponent of the leading digit
	return n <= 38 && top <= 125 && top >= -130
}

func align(a, b decimal) (*big.Int, *big.Int, int) {
	e := min(a.exp, b.exp)
	return scale(a, e), scale(b, e), e
}

func scale(d decimal, e int) *big.Int {
	if d.exp == e {
		return d.mant
	}
	p := new(big.Int).Exp(bigTen, big.NewInt(int64(d.exp-e)), nil)
	return p.Mul(p, d.mant)
}

func (d decimal) cmp(o decimal) int {
	x, y, _ := align(d, o)
	return x.Cmp(y)
}

func (d decimal) add(o decimal) decimal {
	x, y, e := align(d, o)
	return decimal{mant: new(big.Int).Add(x, y), exp: e}.norm()
}

func (d decimal) neg() decimal {
	return decimal{mant: new(big.Int).Neg(d.mant), exp: d.exp}
}

// String renders plain notation without an exponent, as DynamoDB returns
// numbers ("1E2" is stored and returned as "100").
func (d decimal) String() string {
	s := d.mant.String()
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	switch {
	case d.exp >= 0:
		s += strings.Repeat("0", d.exp)
	case -d.exp < len(s):
		s = s[:len(s)+d.exp] + "." + s[len(s)+d.exp:]
	default:
		s = "0." + strings.Repeat("0", -d.exp-len(s)) + s
	}
	if neg {
		return "-" + s
	}
	return s
}

// canonicalNumber normalises a wire number; ok is false if it is not one
// DynamoDB would store.
func canonicalNumber(s string) (string, bool) {
	d, ok := parseNumber(s)
	if !ok || !d.valid() {
		return "", false
	}
	return d.String(), true
}

func mustNumber(s string) decimal {
	d, ok := parseNumber(s)
	if !ok {
		return decimal{mant: new(big.Int)}
	}
	return d
}
