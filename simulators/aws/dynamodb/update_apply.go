package dynamodb

import (
	"slices"
	"sort"
)

var errBadPath = validation("The document path provided in the update expression is invalid for update")

// apply returns old with u applied; old is not modified. Every right-hand
// side is evaluated against old before anything is written.
func (u *updateExpr) apply(old Item) (Item, *apiError) {
	type write struct {
		p path
		v Value
	}
	var writes []write
	for _, a := range u.sets {
		v, err := a.v.value(old)
		if err != nil {
			return nil, err
		}
		writes = append(writes, write{a.p, v})
	}
	for _, a := range u.adds {
		v, _ := a.v.value(old)
		cur, ok := a.p.get(old)
		nv, err := add(cur, ok, v)
		if err != nil {
			return nil, err
		}
		writes = append(writes, write{a.p, nv})
	}
	var removes []path
	for _, a := range u.deletes {
		v, _ := a.v.value(old)
		cur, ok := a.p.get(old)
		if !v.isSet() || ok && cur.Kind != v.Kind {
			return nil, errIncorrectType
		}
		if !ok {
			continue
		}
		rest := slices.DeleteFunc(slices.Clone(cur.Set), func(s string) bool { return slices.Contains(v.Set, s) })
		if len(rest) == 0 {
			removes = append(removes, a.p)
		} else {
			writes = append(writes, write{a.p, Value{Kind: cur.Kind, Set: rest}})
		}
	}
	root := Value{Kind: KindM, M: old.clone()}
	if root.M == nil {
		root.M = map[string]Value{}
	}
	for _, w := range writes {
		var err *apiError
		if root, err = setIn(root, w.p, w.v); err != nil {
			return nil, err
		}
	}
	removes = append(removes, u.removes...)
	// Remove higher list indexes first so REMOVE a[0], a[1] removes the two
	// elements the caller named, not a[0] and the shifted a[2].
	sort.SliceStable(removes, func(i, j int) bool {
		a, b := removes[i], removes[j]
		return len(a) == len(b) && a[len(a)-1].isIndex && b[len(b)-1].isIndex && a[len(a)-1].index > b[len(b)-1].index
	})
	for _, p := range removes {
		root = removeIn(root, p)
	}
	return root.M, nil
}

// add implements ADD: numbers sum, sets union, a missing attribute takes v.
func add(cur Value, exists bool, v Value) (Value, *apiError) {
	if v.Kind != KindN && !v.isSet() {
		return Value{}, errIncorrectType
	}
	if !exists {
		return v, nil
	}
	if cur.Kind != v.Kind {
		return Value{}, errIncorrectType
	}
	if v.Kind == KindN {
		return numberValue(mustNumber(cur.S).add(mustNumber(v.S)))
	}
	out := slices.Clone(cur.Set)
	for _, s := range v.Set {
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return Value{Kind: v.Kind, Set: out}, nil
}

// setIn writes nv at p inside container c. An index past the end of a list
// appends, as in DynamoDB.
func setIn(c Value, p path, nv Value) (Value, *apiError) {
	e := p[0]
	if e.isIndex {
		if c.Kind != KindL {
			return c, errBadPath
		}
		if len(p) == 1 {
			if e.index >= len(c.L) {
				c.L = append(c.L, nv)
			} else {
				c.L[e.index] = nv
			}
			return c, nil
		}
		if e.index >= len(c.L) {
			return c, errBadPath
		}
		child, err := setIn(c.L[e.index], p[1:], nv)
		c.L[e.index] = child
		return c, err
	}
	if c.Kind != KindM {
		return c, errBadPath
	}
	if len(p) == 1 {
		c.M[e.name] = nv
		return c, nil
	}
	child, ok := c.M[e.name]
	if !ok {
		return c, errBadPath
	}
	child, err := setIn(child, p[1:], nv)
	c.M[e.name] = child
	return c, err
}

// removeIn deletes p from c; a missing path is not an error.
func removeIn(c Value, p path) Value {
	e := p[0]
	switch {
	case e.isIndex && c.Kind == KindL && e.index < len(c.L):
		if len(p) == 1 {
			c.L = slices.Delete(c.L, e.index, e.index+1)
		} else {
			c.L[e.index] = removeIn(c.L[e.index], p[1:])
		}
	case !e.isIndex && c.Kind == KindM:
		child, ok := c.M[e.name]
		if !ok {
			break
		}
		if len(p) == 1 {
			delete(c.M, e.name)
		} else {
			c.M[e.name] = removeIn(child, p[1:])
		}
	}
	return c
}
