package logging

import (
	"sort"
	"strconv"
	"strings"

	"cloud.google.com/go/logging/apiv2/loggingpb"
	"go.etcd.io/bbolt"

	"github.com/sockerless/sockerless/simulators/gcp/internal/protokv"
	"github.com/sockerless/sockerless/simulators/kit/kv"
)

// Layout in bbolt: bucket "logging" holds bucket "entries", keyed by
// timestamp then arrival (keyOf), each entry as protojson. Memory holds
// the same entries in key order.
const (
	bucketRoot    = "logging"
	bucketEntries = "entries"
)

type state struct {
	store   *kv.Store
	entries []*loggingpb.LogEntry // in key order
	keys    []string
	seq     int64
}

func openState(db *bbolt.DB) (*state, error) {
	store, err := kv.Open(db, bucketRoot, bucketEntries)
	if err != nil {
		return nil, err
	}
	s := &state{store: store}
	err = protokv.Load(store, bucketEntries, func(key string, e *loggingpb.LogEntry) error {
		s.entries, s.keys = append(s.entries, e), append(s.keys, key)
		if _, seq, ok := strings.Cut(key, "-"); ok {
			n, _ := strconv.ParseInt(seq, 10, 64)
			s.seq = max(s.seq, n)
		}
		return nil
	})
	return s, err
}

// add stores entries, keeping timestamp order.
func (s *state) add(entries []*loggingpb.LogEntry) error {
	keys := make([]string, len(entries))
	for i, e := range entries {
		s.seq++
		keys[i] = keyOf(e, s.seq)
	}
	changed := map[string]*loggingpb.LogEntry{}
	for i, e := range entries {
		changed[keys[i]] = e
	}
	err := protokv.Save(s.store, bucketEntries, changed)
	if err != nil {
		return err
	}
	for i, e := range entries {
		at := sort.SearchStrings(s.keys, keys[i])
		s.keys = append(s.keys[:at], append([]string{keys[i]}, s.keys[at:]...)...)
		s.entries = append(s.entries[:at], append([]*loggingpb.LogEntry{e}, s.entries[at:]...)...)
	}
	return nil
}

// deleteLog removes every entry of the log and says how many there were.
func (s *state) deleteLog(name string) (int, error) {
	var keep []*loggingpb.LogEntry
	var keepKeys, gone []string
	for i, e := range s.entries {
		if e.LogName == name {
			gone = append(gone, s.keys[i])
			continue
		}
		keep, keepKeys = append(keep, e), append(keepKeys, s.keys[i])
	}
	changed := map[string]*loggingpb.LogEntry{}
	for _, k := range gone {
		changed[k] = nil
	}
	err := protokv.Save(s.store, bucketEntries, changed)
	if err != nil {
		return 0, err
	}
	s.entries, s.keys = keep, keepKeys
	return len(gone), nil
}
