package statetest

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/sockerless/sockerless/functions/state"
)

// shortTTL is long enough to read a record back before it expires and
// short enough to keep the suite quick.
const shortTTL = 1500 * time.Millisecond

// checkExpires verifies a reported expiry lies near written+ttl.
func checkExpires(t *testing.T, r state.Record, written time.Time, ttl time.Duration) {
	t.Helper()
	want := written.Add(ttl)
	if d := r.Expires.Sub(want); d < -time.Second || d > time.Second {
		t.Fatalf("Expires = %v, want about %v", r.Expires, want)
	}
}

// ttlCase is checked in two phases: arrange writes records and returns
// those that must expire; after one shared wait, check runs. Waiting
// once for every case keeps the suite at one TTL's length however few
// tests may run in parallel (-parallel defaults to the core count).
type ttlCase struct {
	name    string
	arrange func(t *testing.T, s state.Store) []state.Record
	check   func(t *testing.T, s state.Store)
}

var ttlCases = []ttlCase{
	{
		name: "expired record is invisible",
		arrange: func(t *testing.T, s state.Store) []state.Record {
			written := time.Now()
			put(t, s, "p/short", "gone soon", 0, shortTTL)
			put(t, s, "p/keep", "stays", 0, 0)
			r := wantGet(t, s, "p/short", "gone soon", 1)
			checkExpires(t, r, written, shortTTL)
			if got := keys(t, s, "p/", 0); strings.Join(got, ",") != "p/keep,p/short" {
				t.Fatalf("before expiry keys = %q", got)
			}
			return []state.Record{r}
		},
		check: func(t *testing.T, s state.Store) {
			_, err := s.Get(ctx(t), "p/short")
			wantErr(t, "Get expired", err, state.ErrNotFound)
			if got := keys(t, s, "p/", 0); strings.Join(got, ",") != "p/keep" {
				t.Fatalf("after expiry keys = %q", got)
			}
		},
	},
	{
		name: "expired record counts as absent",
		arrange: func(t *testing.T, s state.Store) []state.Record {
			put(t, s, "k", "one", 0, 0)
			put(t, s, "k", "two", 1, shortTTL)
			return []state.Record{wantGet(t, s, "k", "two", 2)}
		},
		check: func(t *testing.T, s state.Store) {
			_, err := s.Put(ctx(t), "k", []byte("stale"), 2, 0)
			wantErr(t, "Put with the expired record's version", err, state.ErrConflict)
			wantErr(t, "Delete expired", s.Delete(ctx(t), "k", 2), state.ErrNotFound)
			if v := put(t, s, "k", "new", 0, 0); v != 1 {
				t.Fatalf("create over expired record: version %d, want 1", v)
			}
			if r := wantGet(t, s, "k", "new", 1); !r.Expires.IsZero() {
				t.Fatalf("recreated record kept the old expiry %v", r.Expires)
			}
		},
	},
	{
		name: "rewrite without TTL clears expiry",
		arrange: func(t *testing.T, s state.Store) []state.Record {
			put(t, s, "k", "one", 0, shortTTL)
			short := wantGet(t, s, "k", "one", 1)
			put(t, s, "k", "two", 1, 0)
			if r := wantGet(t, s, "k", "two", 2); !r.Expires.IsZero() {
				t.Fatalf("Expires = %v after a write without TTL", r.Expires)
			}
			return []state.Record{short}
		},
		check: func(t *testing.T, s state.Store) { wantGet(t, s, "k", "two", 2) },
	},
	{
		name: "rewrite with a longer TTL extends it",
		arrange: func(t *testing.T, s state.Store) []state.Record {
			put(t, s, "k", "one", 0, shortTTL)
			short := wantGet(t, s, "k", "one", 1)
			written := time.Now()
			put(t, s, "k", "two", 1, time.Hour)
			checkExpires(t, wantGet(t, s, "k", "two", 2), written, time.Hour)
			return []state.Record{short}
		},
		check: func(t *testing.T, s state.Store) { wantGet(t, s, "k", "two", 2) },
	},
	{
		name: "list pages skip expired records",
		arrange: func(t *testing.T, s state.Store) []state.Record {
			var out []state.Record
			for i := range 20 {
				put(t, s, fmt.Sprintf("e/%02d", i), "", 0, shortTTL)
				out = append(out, wantGet(t, s, fmt.Sprintf("e/%02d", i), "", 1))
				if i%5 == 0 {
					put(t, s, fmt.Sprintf("e/%02d-live", i), "", 0, 0)
				}
			}
			return out
		},
		check: func(t *testing.T, s state.Store) {
			want := "e/00-live,e/05-live,e/10-live,e/15-live"
			for _, page := range []int{0, 1, 3} {
				if got := keys(t, s, "e/", page); strings.Join(got, ",") != want {
					t.Fatalf("page %d: keys = %q, want %q", page, got, want)
				}
			}
			// A write after expiry (which may sweep) disturbs nothing.
			put(t, s, "e/new", "", 0, 0)
			if got := keys(t, s, "e/", 2); strings.Join(got, ",") != want+",e/new" {
				t.Fatalf("after a write: keys = %q", got)
			}
		},
	},
}

func runTTL(t *testing.T, o Open) {
	stores := make([]state.Store, len(ttlCases))
	var until time.Time
	for i, tc := range ttlCases {
		stores[i] = o.store(t)
		t.Run(tc.name+"/arrange", func(t *testing.T) {
			for _, r := range tc.arrange(t, stores[i]) {
				if r.Expires.IsZero() {
					t.Fatalf("record %q has no expiry", r.Key)
				}
				if r.Expires.After(until) {
					until = r.Expires
				}
			}
		})
	}
	// Past the latest expiry the stores themselves reported, so stores
	// with coarse TTL granularity pass too.
	time.Sleep(time.Until(until) + 250*time.Millisecond)
	for i, tc := range ttlCases {
		t.Run(tc.name+"/check", func(t *testing.T) { tc.check(t, stores[i]) })
	}
}
