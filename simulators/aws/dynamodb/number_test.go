package dynamodb

import "testing"

func TestCanonicalNumber(t *testing.T) {
	cases := []struct {
		in, want string
		ok       bool
	}{
		{"1", "1", true},
		{"01.500", "1.5", true},
		{"-0.0", "0", true},
		{"1e2", "100", true},
		{"1.5E-3", "0.0015", true},
		{"+7", "7", true},
		{"-12.340e1", "-123.4", true},
		{"12345678901234567890123456789012345678", "12345678901234567890123456789012345678", true},
		{"123456789012345678901234567890123456789", "", false}, // 39 digits
		{"1e126", "", false},
		{"1e-131", "", false},
		{"abc", "", false},
		{"1.2.3", "", false},
		{"", "", false},
		{"e5", "", false},
	}
	for _, c := range cases {
		got, ok := canonicalNumber(c.in)
		if ok != c.ok || got != c.want {
			t.Errorf("canonicalNumber(%q) = %q, %v; want %q, %v", c.in, got, ok, c.want, c.ok)
		}
	}
}

func TestDecimalCompareAndAdd(t *testing.T) {
	cmp := []struct {
		a, b string
		want int
	}{
		{"100.000000000000000000000000001", "1e2", 1},
		{"99.99999999999999999999999999", "100", -1},
		{"-1", "-0.5", -1},
		{"2.50", "2.5", 0},
	}
	for _, c := range cmp {
		if got := mustNumber(c.a).cmp(mustNumber(c.b)); got != c.want {
			t.Errorf("cmp(%s, %s) = %d, want %d", c.a, c.b, got, c.want)
		}
	}
	add := []struct{ a, b, want string }{
		{"0.1", "0.2", "0.3"}, // float64 would give 0.30000000000000004
		{"5", "-0.000000000000000000000000000001", "4.999999999999999999999999999999"},
		{"1e20", "1", "100000000000000000001"},
		{"-3", "3", "0"},
	}
	for _, c := range add {
		if got := mustNumber(c.a).add(mustNumber(c.b)).String(); got != c.want {
			t.Errorf("%s + %s = %s, want %s", c.a, c.b, got, c.want)
		}
	}
}
