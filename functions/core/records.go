package core

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/sockerless/sockerless/functions/state"
)

// Key layout in the store. One prefix per kind keeps List cheap.
const (
	keyContainer     = "container/"      // id → containerRecord
	keyContainerName = "container-name/" // name → id (uniqueness)
	keyContainerGone = "container-gone/" // id → exit code, briefly, for wait removed
	keyImage         = "image/"          // id → imageRecord
	keyTag           = "tag/"            // normalized reference → id
	keyVolume        = "volume/"         // name → volumeRecord
	keyNetwork       = "network/"        // id → networkRecord
	keyNetworkName   = "network-name/"   // name → id
	keyExec          = "exec/"           // id → execRecord
	keyEvent         = "event/"          // time-ordered → events.Message
)

// maxRetries bounds optimistic-concurrency retries of one update.
const maxRetries = 20

// getJSON reads key into v and returns its version.
func (c *Core) getJSON(ctx context.Context, key string, v any) (int64, error) {
	rec, err := c.store.Get(ctx, key)
	if err != nil {
		return 0, err
	}
	if err := json.Unmarshal(rec.Value, v); err != nil {
		return 0, fmt.Errorf("corrupt record %s: %w", key, err)
	}
	return rec.Version, nil
}

// putJSON writes v under key if its version is still expect.
func (c *Core) putJSON(ctx context.Context, key string, v any, expect int64, ttl time.Duration) (int64, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return 0, err
	}
	return c.store.Put(ctx, key, b, expect, ttl)
}

// update reads key into a fresh T, applies fn, and writes it back,
// retrying lost races. fn may return errSkipWrite to leave it as is.
func update[T any](ctx context.Context, c *Core, key string, fn func(*T) error) (*T, error) {
	for range maxRetries {
		v := new(T)
		ver, err := c.getJSON(ctx, key, v)
		if err != nil {
			return nil, err
		}
		if err := fn(v); err != nil {
			if errors.Is(err, errSkipWrite) {
				return v, nil
			}
			return nil, err
		}
		if _, err := c.putJSON(ctx, key, v, ver, 0); err != nil {
			if errors.Is(err, state.ErrConflict) {
				continue
			}
			return nil, err
		}
		return v, nil
	}
	return nil, fmt.Errorf("update %s: too many concurrent writers", key)
}

var errSkipWrite = errors.New("skip write")

// listJSON decodes every record under prefix.
func listJSON[T any](ctx context.Context, c *Core, prefix string) ([]T, error) {
	var out []T
	err := eachRecord(ctx, c.store, prefix, func(r state.Record) error {
		var v T
		if err := json.Unmarshal(r.Value, &v); err != nil {
			return fmt.Errorf("corrupt record %s: %w", r.Key, err)
		}
		out = append(out, v)
		return nil
	})
	return out, err
}

// eachRecord calls fn with every record under prefix, page by page.
func eachRecord(ctx context.Context, s state.Store, prefix string, fn func(state.Record) error) error {
	after := ""
	for {
		recs, next, err := s.List(ctx, prefix, after, 500)
		if err != nil {
			return err
		}
		for _, r := range recs {
			if err := fn(r); err != nil {
				return err
			}
		}
		if next == "" {
			return nil
		}
		after = next
	}
}
