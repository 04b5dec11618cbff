package logs

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"go.etcd.io/bbolt"

	"github.com/sockerless/sockerless/simulators/kit/kv"
)

// Layout in bbolt: bucket "logs" holds "groups" (region/name → groupMeta),
// "streams" (region/name NUL stream → streamMeta) and "events", which has
// one bucket per stream (same key) mapping a big-endian sequence number to
// an event. Every write goes to bbolt first, in one transaction, and then
// to memory, so a failed write changes nothing.
const (
	bucketRoot    = "logs"
	bucketGroups  = "groups"
	bucketStreams = "streams"
	bucketEvents  = "events"
)

type groupMeta struct {
	Region    string `json:"region"`
	Name      string `json:"name"`
	Created   int64  `json:"created"`
	Retention int32  `json:"retention,omitempty"`
	// Class is STANDARD or INFREQUENT_ACCESS; empty reads as STANDARD.
	Class string            `json:"class,omitempty"`
	Tags  map[string]string `json:"tags,omitempty"`
}

func (m groupMeta) id() string { return m.Region + "/" + m.Name }

type streamMeta struct {
	Name          string `json:"name"`
	Created       int64  `json:"created"`
	FirstEvent    int64  `json:"firstEvent,omitempty"`
	LastEvent     int64  `json:"lastEvent,omitempty"`
	LastIngestion int64  `json:"lastIngestion,omitempty"`
	Seq           uint64 `json:"seq"` // last sequence number given out
}

// event is one stored log event; Seq orders events with equal timestamps
// by arrival and makes positions (and so tokens) unique.
type event struct {
	Timestamp int64  `json:"t"`
	Message   string `json:"m"`
	Ingestion int64  `json:"i"`
	Seq       uint64 `json:"s"`
}

func (e event) before(f event) bool {
	if e.Timestamp != f.Timestamp {
		return e.Timestamp < f.Timestamp
	}
	return e.Seq < f.Seq
}

type logStream struct {
	meta   streamMeta
	events []event // sorted by (Timestamp, Seq)
}

type group struct {
	meta    groupMeta
	streams map[string]*logStream
}

func newGroup(m groupMeta) *group { return &group{meta: m, streams: map[string]*logStream{}} }

func streamKey(g *group, stream string) []byte {
	return []byte(g.meta.id() + "\x00" + stream)
}

type store struct {
	kv     *kv.Store
	groups map[string]*group
}

func openStore(db *bbolt.DB) (*store, error) {
	s := &store{groups: map[string]*group{}}
	var err error
	if s.kv, err = kv.Open(db, bucketRoot, bucketGroups, bucketStreams, bucketEvents); err != nil {
		return nil, fmt.Errorf("logs: load state: %w", err)
	}
	if err := s.load(); err != nil {
		return nil, fmt.Errorf("logs: load state: %w", err)
	}
	return s, nil
}

func (s *store) load() error {
	if err := kv.Load(s.kv, bucketGroups, func(_ string, m *groupMeta) error {
		s.groups[m.id()] = newGroup(*m)
		return nil
	}); err != nil {
		return err
	}
	return s.kv.View(func(root *bbolt.Bucket) error {
		events := root.Bucket([]byte(bucketEvents))
		return kv.ForEach(root.Bucket([]byte(bucketStreams)), func(k string, meta *streamMeta) error {
			gid, _, _ := strings.Cut(k, "\x00")
			g := s.groups[gid]
			if g == nil {
				return nil
			}
			st := &logStream{meta: *meta}
			g.streams[st.meta.Name] = st
			b := events.Bucket([]byte(k))
			if b == nil {
				return nil
			}
			if err := kv.ForEach(b, func(_ string, e *event) error {
				st.events = append(st.events, *e)
				return nil
			}); err != nil {
				return err
			}
			sort.Slice(st.events, func(i, j int) bool { return st.events[i].before(st.events[j]) })
			return nil
		})
	})
}

func (s *store) group(region, name string) *group { return s.groups[region+"/"+name] }

func (s *store) putGroup(g *group) error {
	if err := s.kv.Put(bucketGroups, g.meta.id(), g.meta); err != nil {
		return err
	}
	s.groups[g.meta.id()] = g
	return nil
}

func (s *store) dropGroup(g *group) error {
	err := s.kv.Update(func(root *bbolt.Bucket) error {
		for name := range g.streams {
			if err := dropStreamTx(root, streamKey(g, name)); err != nil {
				return err
			}
		}
		return root.Bucket([]byte(bucketGroups)).Delete([]byte(g.meta.id()))
	})
	if err != nil {
		return err
	}
	delete(s.groups, g.meta.id())
	return nil
}

func dropStreamTx(root *bbolt.Bucket, k []byte) error {
	if err := root.Bucket([]byte(bucketEvents)).DeleteBucket(k); err != nil && err != bbolt.ErrBucketNotFound {
		return err
	}
	return root.Bucket([]byte(bucketStreams)).Delete(k)
}

func (s *store) dropStream(g *group, name string) error {
	if err := s.kv.Update(func(root *bbolt.Bucket) error {
		return dropStreamTx(root, streamKey(g, name))
	}); err != nil {
		return err
	}
	delete(g.streams, name)
	return nil
}

// putStream stores st's metadata after giving evs sequence numbers and
// folding them into it, and appends evs; st may be new.
func (s *store) putStream(g *group, st *logStream, evs []event) error {
	meta := st.meta
	for i := range evs {
		meta.Seq++
		evs[i].Seq = meta.Seq
		if meta.FirstEvent == 0 || evs[i].Timestamp < meta.FirstEvent {
			meta.FirstEvent = evs[i].Timestamp
		}
		if evs[i].Timestamp > meta.LastEvent {
			meta.LastEvent = evs[i].Timestamp
		}
		meta.LastIngestion = evs[i].Ingestion
	}
	err := s.kv.Update(func(root *bbolt.Bucket) error {
		k := streamKey(g, meta.Name)
		mb, err := json.Marshal(meta)
		if err != nil {
			return err
		}
		if err := root.Bucket([]byte(bucketStreams)).Put(k, mb); err != nil {
			return err
		}
		eb, err := root.Bucket([]byte(bucketEvents)).CreateBucketIfNotExists(k)
		if err != nil {
			return err
		}
		for _, e := range evs {
			v, err := json.Marshal(e)
			if err != nil {
				return err
			}
			if err := eb.Put(binary.BigEndian.AppendUint64(nil, e.Seq), v); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	st.meta = meta
	for _, e := range evs {
		st.insert(e)
	}
	g.streams[meta.Name] = st
	return nil
}

// insert keeps events sorted; the common case (in-order writes) appends.
func (st *logStream) insert(e event) {
	n := len(st.events)
	if n == 0 || !e.before(st.events[n-1]) {
		st.events = append(st.events, e)
		return
	}
	i := sort.Search(n, func(i int) bool { return e.before(st.events[i]) })
	st.events = append(st.events, event{})
	copy(st.events[i+1:], st.events[i:])
	st.events[i] = e
}
