package core

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/sockerless/sockerless/functions/state"
)

// Leftovers are what a call that stopped between two writes may leave:
// records no name points at (orphans), and names or tags whose record
// is gone (stale), which their next reader removes.
type Leftovers struct{ Orphans, Stale bool }

// Inconsistencies lists what breaks the rules of nameIndex and the tag
// entries in s, but for the leftovers allowed: an entry that does not
// resolve, or a record its name does not point at, or a record that is
// not whole. Tests read a store through it after racing or crashing
// the function instances that wrote it.
func Inconsistencies(ctx context.Context, s state.Store, allowed Leftovers) ([]string, error) {
	var bad []string
	for _, x := range []struct {
		nameIndex
		name func([]byte) (string, error)
	}{
		{containerNames, func(b []byte) (string, error) {
			var r containerRecord
			err := json.Unmarshal(b, &r)
			return r.shortName(), err
		}},
		{networkNames, func(b []byte) (string, error) {
			var r struct{ Name string }
			err := json.Unmarshal(b, &r)
			return r.Name, err
		}},
	} {
		owners, err := x.owners(ctx, s)
		if err != nil {
			return nil, err
		}
		named := map[string]string{} // id → the name its record holds
		recs, err := listAll(ctx, s, x.records)
		if err != nil {
			return nil, err
		}
		for _, r := range recs {
			id := r.Key[len(x.records):]
			name, err := x.name(r.Value)
			if err != nil {
				return nil, err
			}
			named[id] = name
			if owners[name] != id && !allowed.Orphans {
				bad = append(bad, fmt.Sprintf("%s is named %q, but that name points at %q", r.Key, name, owners[name]))
			}
		}
		for name, id := range owners {
			if _, ok := named[id]; !ok && !allowed.Stale {
				bad = append(bad, fmt.Sprintf("%s%s points at %s, which does not exist", x.names, name, id))
			}
		}
	}
	tags, err := listAll(ctx, s, keyTag)
	if err != nil {
		return nil, err
	}
	for _, t := range tags {
		if _, err := s.Get(ctx, keyImage+string(t.Value)); err != nil && !allowed.Stale {
			bad = append(bad, fmt.Sprintf("%s points at %s: %v", t.Key, t.Value, err))
		}
	}
	return bad, nil
}

func listAll(ctx context.Context, s state.Store, prefix string) ([]state.Record, error) {
	var out []state.Record
	err := eachRecord(ctx, s, prefix, func(r state.Record) error {
		out = append(out, r)
		return nil
	})
	return out, err
}
