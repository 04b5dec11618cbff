package dynamodb

import (
	"strings"
	"testing"
)

func sv(v string) Value { return Value{Kind: KindS, S: v} }
func nv(v string) Value { return Value{Kind: KindN, S: v} }

func TestConditionEvaluation(t *testing.T) {
	it := Item{
		"s": sv("hello"), "n": nv("10"), "tags": {Kind: KindSS, Set: []string{"a", "b"}},
		"l": {Kind: KindL, L: []Value{nv("1"), sv("x")}},
		"m": {Kind: KindM, M: map[string]Value{"k": sv("v")}},
	}
	values := map[string]Value{":h": sv("he"), ":ten": nv("10.0"), ":five": nv("5"), ":a": sv("a"), ":x": sv("x"), ":two": nv("2"), ":v": sv("v"), ":S": sv("S")}
	cases := []struct {
		expr string
		want bool
	}{
		{"n = :ten", true},
		{"n <> :ten", false},
		{"nope <> :ten", true}, // an absent attribute is unequal to everything
		{"nope = :ten", false},
		{"n > :five AND n <= :ten", true},
		{"n BETWEEN :five AND :ten", true},
		{"n IN (:five, :ten)", true},
		{"begins_with(s, :h)", true},
		{"contains(tags, :a)", true},
		{"contains(l, :x)", true},
		{"contains(s, :x)", false},
		{"size(l) = :two", true},
		{"size(s) > :five", false},
		{"attribute_exists(m.k) AND attribute_not_exists(m.z)", true},
		{"m.k = :v AND l[1] = :x", true},
		{"attribute_type(s, :S)", true},
		{"NOT (n = :five OR s = :h) AND NOT n = :five", true},
		{"n = :five OR s = :h AND n = :ten", false},
		{"s < :ten", false}, // different types never order
	}
	for _, c := range cases {
		ctx := newExprContext(nil, values)
		cond, err := parse(ctx, "ConditionExpression", c.expr, parseCondition)
		if err != nil {
			t.Errorf("%s: %v", c.expr, err)
			continue
		}
		if got := cond.test(it); got != c.want {
			t.Errorf("%s = %v, want %v", c.expr, got, c.want)
		}
	}
}

func TestExpressionErrors(t *testing.T) {
	cases := []struct {
		expr, want string
	}{
		{"a = ", `Syntax error; token: "<EOF>"`},
		{"a = :missing", "An expression attribute value used in expression is not defined; attribute value: :missing"},
		{"#x = :v", "An expression attribute name used in the document path is not defined; attribute name: #x"},
		{"status = :v", "Attribute name is a reserved keyword; reserved keyword: status"},
		{"a = :v $", `Invalid character encountered; character: "$"`},
		{"(a = :v", `Syntax error; token: "<EOF>"`},
	}
	for _, c := range cases {
		ctx := newExprContext(nil, map[string]Value{":v": sv("x")})
		_, err := parse(ctx, "ConditionExpression", c.expr, parseCondition)
		if err == nil || !strings.Contains(err.Message, c.want) {
			t.Errorf("%q: error %v, want containing %q", c.expr, err, c.want)
		}
	}
}

func TestUpdateApply(t *testing.T) {
	old := Item{"id": sv("k"), "n": nv("1"), "l": {Kind: KindL, L: []Value{nv("1"), nv("2"), nv("3")}}, "ns": {Kind: KindNS, Set: []string{"1", "2"}}}
	values := map[string]Value{":one": nv("1"), ":l": {Kind: KindL, L: []Value{nv("4")}}, ":ns": {Kind: KindNS, Set: []string{"2", "3"}}, ":d": {Kind: KindNS, Set: []string{"1"}}}
	cases := []struct {
		expr  string
		check func(Item) bool
	}{
		{"SET n = n + :one, c = if_not_exists(c, :one)", func(it Item) bool { return it["n"].S == "2" && it["c"].S == "1" }},
		{"SET l = list_append(:l, l)", func(it Item) bool { return len(it["l"].L) == 4 && it["l"].L[0].S == "4" }},
		{"SET l[10] = :one", func(it Item) bool { return len(it["l"].L) == 4 }},
		{"REMOVE l[0], l[1]", func(it Item) bool { return len(it["l"].L) == 1 && it["l"].L[0].S == "3" }},
		{"ADD ns :ns, fresh :one", func(it Item) bool { return len(it["ns"].Set) == 3 && it["fresh"].S == "1" }},
		{"DELETE ns :d", func(it Item) bool { return len(it["ns"].Set) == 1 && it["ns"].Set[0] == "2" }},
		{"SET n = n - :one REMOVE l", func(it Item) bool { _, ok := it["l"]; return it["n"].S == "0" && !ok }},
	}
	for _, c := range cases {
		ctx := newExprContext(nil, values)
		u, err := parse(ctx, "UpdateExpression", c.expr, parseUpdate)
		if err != nil {
			t.Errorf("%s: %v", c.expr, err)
			continue
		}
		got, err := u.apply(old)
		if err != nil {
			t.Errorf("%s: %v", c.expr, err)
			continue
		}
		if !c.check(got) {
			t.Errorf("%s gave %v", c.expr, got)
		}
		if old["n"].S != "1" || len(old["l"].L) != 3 {
			t.Fatalf("%s modified the old item", c.expr)
		}
	}
}
