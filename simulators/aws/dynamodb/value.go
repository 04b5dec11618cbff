package dynamodb

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
)

// Kind is a DynamoDB attribute type descriptor as it appears on the wire.
type Kind string

// The DynamoDB attribute types.
const (
	KindS    Kind = "S"
	KindN    Kind = "N"
	KindB    Kind = "B"
	KindBOOL Kind = "BOOL"
	KindNULL Kind = "NULL"
	KindM    Kind = "M"
	KindL    Kind = "L"
	KindSS   Kind = "SS"
	KindNS   Kind = "NS"
	KindBS   Kind = "BS"
)

// Value is one AttributeValue. S holds S and canonical N; B holds B; Set
// holds SS, canonical NS, and BS (raw bytes as strings).
type Value struct {
	Kind Kind
	S    string
	B    []byte
	Bool bool
	M    map[string]Value
	L    []Value
	Set  []string
}

// Item is a DynamoDB item: attribute name → value.
type Item map[string]Value

func (v Value) isSet() bool { return v.Kind == KindSS || v.Kind == KindNS || v.Kind == KindBS }

// MarshalJSON writes the DynamoDB JSON form, e.g. {"S":"x"} or {"L":[]}.
func (v Value) MarshalJSON() ([]byte, error) {
	var inner any
	switch v.Kind {
	case KindS, KindN:
		inner = v.S
	case KindB:
		inner = v.B
	case KindBOOL:
		inner = v.Bool
	case KindNULL:
		inner = true
	case KindM:
		m := v.M
		if m == nil {
			m = map[string]Value{}
		}
		inner = m
	case KindL:
		l := v.L
		if l == nil {
			l = []Value{}
		}
		inner = l
	case KindSS, KindNS:
		inner = v.Set
	case KindBS:
		bs := make([][]byte, len(v.Set))
		for i, s := range v.Set {
			bs[i] = []byte(s)
		}
		inner = bs
	default:
		return nil, fmt.Errorf("dynamodb: value has no type")
	}
	b, err := json.Marshal(inner)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	buf.WriteString(`{"`)
	buf.WriteString(string(v.Kind))
	buf.WriteString(`":`)
	buf.Write(b)
	buf.WriteByte('}')
	return buf.Bytes(), nil
}

// UnmarshalJSON reads and validates one AttributeValue, failing with the
// ValidationException DynamoDB gives for the same input.
func (v *Value) UnmarshalJSON(data []byte) error {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return err
	}
	if len(raw) == 0 {
		return validation("Supplied AttributeValue is empty, must contain exactly one of the supported datatypes")
	}
	if len(raw) > 1 {
		return validation("Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes")
	}
	for k, r := range raw {
		*v = Value{Kind: Kind(k)}
		return v.decode(r)
	}
	return nil
}

func (v *Value) decode(r json.RawMessage) error {
	switch v.Kind {
	case KindS:
		return json.Unmarshal(r, &v.S)
	case KindN:
		var s string
		if err := json.Unmarshal(r, &s); err != nil {
			return err
		}
		n, ok := canonicalNumber(s)
		if !ok {
			return validation("The parameter cannot be converted to a numeric value: %s", s)
		}
		v.S = n
	case KindB:
		return json.Unmarshal(r, &v.B)
	case KindBOOL:
		return json.Unmarshal(r, &v.Bool)
	case KindNULL:
		var b bool
		if err := json.Unmarshal(r, &b); err != nil {
			return err
		}
		if !b {
			return validation("One or more parameter values were invalid: Null attribute value types must have the value of true")
		}
	case KindM:
		v.M = map[string]Value{}
		return json.Unmarshal(r, &v.M)
	case KindL:
		v.L = []Value{}
		return json.Unmarshal(r, &v.L)
	case KindSS, KindNS, KindBS:
		return v.decodeSet(r)
	default:
		return validation("Supplied AttributeValue has an unknown datatype: %s", v.Kind)
	}
	return nil
}

func (v *Value) decodeSet(r json.RawMessage) error {
	if v.Kind == KindBS {
		var bs [][]byte
		if err := json.Unmarshal(r, &bs); err != nil {
			return err
		}
		for _, b := range bs {
			v.Set = append(v.Set, string(b))
		}
	} else if err := json.Unmarshal(r, &v.Set); err != nil {
		return err
	}
	if len(v.Set) == 0 {
		name := map[Kind]string{KindSS: "string", KindNS: "number", KindBS: "binary"}[v.Kind]
		return validation("One or more parameter values were invalid: An %s set  may not be empty", name)
	}
	if v.Kind == KindNS {
		for i, s := range v.Set {
			n, ok := canonicalNumber(s)
			if !ok {
				return validation("The parameter cannot be converted to a numeric value: %s", s)
			}
			v.Set[i] = n
		}
	}
	seen := map[string]bool{}
	for _, s := range v.Set {
		if seen[s] {
			return validation("One or more parameter values were invalid: Input collection [%s] contains duplicates.", strings.Join(v.Set, ", "))
		}
		seen[s] = true
	}
	return nil
}

// equal is DynamoDB's = : same type and same value; sets compare unordered.
func equal(a, b Value) bool {
	if a.Kind != b.Kind {
		return false
	}
	switch a.Kind {
	case KindS:
		return a.S == b.S
	case KindN:
		// Numbers are canonical once decoded; comparing by value keeps
		// equality right for any that were built in code.
		return a.S == b.S || mustNumber(a.S).cmp(mustNumber(b.S)) == 0
	case KindB:
		return bytes.Equal(a.B, b.B)
	case KindBOOL:
		return a.Bool == b.Bool
	case KindNULL:
		return true
	case KindM:
		if len(a.M) != len(b.M) {
			return false
		}
		for k, x := range a.M {
			y, ok := b.M[k]
			if !ok || !equal(x, y) {
				return false
			}
		}
		return true
	case KindL:
		return slices.EqualFunc(a.L, b.L, equal)
	default:
		x, y := slices.Clone(a.Set), slices.Clone(b.Set)
		sort.Strings(x)
		sort.Strings(y)
		return slices.Equal(x, y)
	}
}

// compare orders two scalars of the same type (S, N or B); ok is false for
// any other pair, in which case an ordering comparison is false.
func compare(a, b Value) (int, bool) {
	if a.Kind != b.Kind {
		return 0, false
	}
	switch a.Kind {
	case KindS:
		return strings.Compare(a.S, b.S), true
	case KindN:
		return mustNumber(a.S).cmp(mustNumber(b.S)), true
	case KindB:
		return bytes.Compare(a.B, b.B), true
	}
	return 0, false
}

// keyString encodes a key attribute so equal keys ("1" and "1.0") collide.
func keyString(v Value) string {
	if v.Kind == KindB {
		return "B" + string(v.B)
	}
	return string(v.Kind) + v.S
}

func (v Value) clone() Value {
	c := v
	if v.B != nil {
		c.B = slices.Clone(v.B)
	}
	if v.M != nil {
		c.M = make(map[string]Value, len(v.M))
		for k, x := range v.M {
			c.M[k] = x.clone()
		}
	}
	if v.L != nil {
		c.L = make([]Value, len(v.L))
		for i, x := range v.L {
			c.L[i] = x.clone()
		}
	}
	c.Set = slices.Clone(v.Set)
	return c
}

func (it Item) clone() Item {
	if it == nil {
		return nil
	}
	c := make(Item, len(it))
	for k, v := range it {
		c[k] = v.clone()
	}
	return c
}

// size approximates DynamoDB's item size: names plus value bytes.
func (it Item) size() int {
	n := 0
	for k, v := range it {
		n += len(k) + valueSize(v)
	}
	return n
}

func valueSize(v Value) int {
	switch v.Kind {
	case KindS, KindN:
		return len(v.S)
	case KindB:
		return len(v.B)
	case KindM:
		n := 3
		for k, x := range v.M {
			n += len(k) + valueSize(x) + 1
		}
		return n
	case KindL:
		n := 3
		for _, x := range v.L {
			n += valueSize(x) + 1
		}
		return n
	case KindSS, KindNS, KindBS:
		n := 0
		for _, s := range v.Set {
			n += len(s)
		}
		return n
	}
	return 1
}
