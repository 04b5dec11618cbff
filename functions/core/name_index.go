package core

import (
	"context"
	"errors"
	"fmt"

	"github.com/sockerless/sockerless/functions/state"
)

// A name entry (container-name/NAME, network-name/NAME) maps a name to
// the id of the record that holds it. The record is the fact; the entry
// makes the name unique (its conditional create is the one atomic step)
// and findable. No store writes both at once, so every writer keeps one
// order, on create and on remove alike: record first, entry second.
//
// An entry therefore always points at a record that was written: one
// whose record is gone is stale (a remove that stopped half-way), and
// whoever meets it removes it. A record no entry points at is a create
// in progress, a create that lost its name, or one that stopped
// half-way: its id was never handed out, and readers that list records
// skip it (see owners).
type nameIndex struct {
	names   string // key prefix of the entries: name → id
	records string // key prefix of the records: id → record
}

var (
	containerNames = nameIndex{names: keyContainerName, records: keyContainer}
	networkNames   = nameIndex{names: keyNetworkName, records: keyNetwork}
)

// resolve returns the record name points at, or ErrNotFound. A stale
// entry is removed on the way.
func (x nameIndex) resolve(ctx context.Context, s state.Store, name string) (state.Record, error) {
	e, err := s.Get(ctx, x.names+name)
	if err != nil {
		return state.Record{}, err
	}
	r, err := s.Get(ctx, x.records+string(e.Value))
	if errors.Is(err, state.ErrNotFound) {
		// Conditional: an entry rewritten meanwhile is someone else's.
		if err := s.Delete(ctx, x.names+name, e.Version); err != nil && !isLostRace(err) {
			return state.Record{}, err
		}
		return state.Record{}, state.ErrNotFound
	}
	return r, err
}

// claim points name at id, whose record must already be written. It
// returns nil once the name is id's (also when it already was), and
// ErrConflict with the owner's id when another live record holds it.
func (x nameIndex) claim(ctx context.Context, s state.Store, name, id string) (owner string, err error) {
	for range maxRetries {
		_, err := s.Put(ctx, x.names+name, []byte(id), 0, 0)
		if !errors.Is(err, state.ErrConflict) {
			return id, err
		}
		r, err := x.resolve(ctx, s, name)
		switch {
		case errors.Is(err, state.ErrNotFound):
			continue // the entry was stale, or its owner just went: try again
		case err != nil:
			return "", err
		}
		if owner := r.Key[len(x.records):]; owner != id {
			return owner, state.ErrConflict
		}
		return id, nil
	}
	return "", fmt.Errorf("claim %s%s: too many concurrent writers", x.names, name)
}

// release removes name's entry if it still points at id: the last write
// of a remove or a rename, after the record's.
func (x nameIndex) release(ctx context.Context, s state.Store, name, id string) error {
	e, err := s.Get(ctx, x.names+name)
	if errors.Is(err, state.ErrNotFound) || (err == nil && string(e.Value) != id) {
		return nil
	}
	if err != nil {
		return err
	}
	if err := s.Delete(ctx, x.names+name, e.Version); err != nil && !isLostRace(err) {
		return err
	}
	return nil
}

// owners reads every entry, name → id. A listing keeps a record only if
// its name's entry points at it (see listNamed).
func (x nameIndex) owners(ctx context.Context, s state.Store) (map[string]string, error) {
	out := map[string]string{}
	err := eachRecord(ctx, s, x.names, func(r state.Record) error {
		out[r.Key[len(x.names):]] = string(r.Value)
		return nil
	})
	return out, err
}

// listNamed lists the records under prefix (within x's records) whose
// name points at them; nameID says what a record's name and id are.
func listNamed[T any](ctx context.Context, c *Core, x nameIndex, prefix string, nameID func(*T) (string, string)) ([]T, error) {
	recs, err := listJSON[T](ctx, c, prefix)
	if err != nil {
		return nil, err
	}
	owners, err := x.owners(ctx, c.store)
	if err != nil {
		return nil, err
	}
	out := recs[:0]
	for i := range recs {
		if name, id := nameID(&recs[i]); owners[name] == id {
			out = append(out, recs[i])
		}
	}
	return out, nil
}

// owns reports whether name's entry points at id.
func (x nameIndex) owns(ctx context.Context, s state.Store, name, id string) (bool, error) {
	e, err := s.Get(ctx, x.names+name)
	if errors.Is(err, state.ErrNotFound) {
		return false, nil
	}
	return err == nil && string(e.Value) == id, err
}

// isLostRace: a conditional write found the record changed or gone, so
// another caller already did (or undid) what this one meant to.
func isLostRace(err error) bool {
	return errors.Is(err, state.ErrConflict) || errors.Is(err, state.ErrNotFound)
}
