package firestore

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	fsdk "cloud.google.com/go/firestore"
	"google.golang.org/api/iterator"

	"github.com/sockerless/sockerless/functions/state"
)

// List returns live records under prefix after the key `after`, with one
// query on k in key order bounded to the prefix's range. It reads until
// it has one live record past limit, so `next` is set exactly when more
// live records remain (expired documents are skipped here: the TTL sweep
// is lazy).
func (s *Store) List(ctx context.Context, prefix, after string, limit int) ([]state.Record, string, error) {
	if err := ctx.Err(); err != nil {
		return nil, "", err
	}
	if limit < 0 {
		return nil, "", fmt.Errorf("%w: negative limit %d", state.ErrInvalid, limit)
	}
	q := s.col.Query
	switch {
	case after >= prefix && strings.HasPrefix(after, prefix):
		q = q.Where(fieldKey, ">", after)
	case after > prefix:
		// after sorts past every key that starts with prefix.
		return nil, "", nil
	case prefix != "":
		q = q.Where(fieldKey, ">=", prefix)
	}
	if end, ok := prefixEnd(prefix); ok {
		q = q.Where(fieldKey, "<", end)
	}
	q = q.OrderBy(fieldKey, fsdk.Asc)
	if limit > 0 {
		// Expired documents count against a query's limit; a full page
		// that falls short goes on from its last key.
		q = q.Limit(limit + 1)
	}
	now := s.now()
	var out []state.Record
	for {
		it := q.Documents(ctx)
		n, last := 0, ""
		for {
			snap, err := it.Next()
			if errors.Is(err, iterator.Done) {
				break
			}
			if err != nil {
				it.Stop()
				return nil, "", fmt.Errorf("firestore: list %q after %q: %w", prefix, after, err)
			}
			n++
			r, live, err := decode(snap, now)
			if err != nil {
				it.Stop()
				return nil, "", err
			}
			last = r.Key
			if !live {
				continue
			}
			if limit > 0 && len(out) == limit {
				it.Stop()
				return out, out[len(out)-1].Key, nil
			}
			out = append(out, r)
		}
		it.Stop()
		if limit == 0 || n < limit+1 {
			return out, "", nil
		}
		q = q.StartAfter(last)
	}
}

// prefixEnd is the least string past every string starting with prefix:
// prefix with its last rune replaced by the next one (UTF-8 byte order is
// code point order). A Firestore string must be valid UTF-8, so runes
// with no successor are dropped first; ok is false when nothing bounds
// the prefix (it is empty, or all U+10FFFF). A byte that is not UTF-8
// is dropped too, which leaves a looser bound, still past the prefix.
func prefixEnd(prefix string) (string, bool) {
	for prefix != "" {
		r, size := utf8.DecodeLastRuneInString(prefix)
		prefix = prefix[:len(prefix)-size]
		next := r + 1
		if next == 0xD800 { // surrogates are not runes
			next = 0xE000
		}
		if (r != utf8.RuneError || size > 1) && next <= utf8.MaxRune {
			return prefix + string(next), true
		}
	}
	return "", false
}
