package dynamodb

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"time"

	"go.etcd.io/bbolt"

	"github.com/sockerless/sockerless/simulators/kit/kv"
)

// Layout in bbolt: bucket "dynamodb" holds bucket "tables" (region/name →
// tableMeta JSON) and one bucket per table "items/region/name" (encoded
// primary key → item JSON). Memory mirrors it; bbolt is written first, in
// one transaction per request, so a failed write changes nothing.
const (
	bucketRoot   = "dynamodb"
	bucketTables = "tables"
)

type keyElement struct {
	AttributeName string `json:"AttributeName"`
	KeyType       string `json:"KeyType"`
}

type attributeDefinition struct {
	AttributeName string `json:"AttributeName"`
	AttributeType string `json:"AttributeType"`
}

// tableMeta is a table's persisted definition.
type tableMeta struct {
	Region               string                `json:"region"`
	Name                 string                `json:"name"`
	ID                   string                `json:"id"`
	Created              time.Time             `json:"created"`
	KeySchema            []keyElement          `json:"keySchema"`
	AttributeDefinitions []attributeDefinition `json:"attributeDefinitions"`
	BillingMode          string                `json:"billingMode"`
	ReadCapacity         int64                 `json:"readCapacity"`
	WriteCapacity        int64                 `json:"writeCapacity"`
	TTLAttribute         string                `json:"ttlAttribute,omitempty"`
	TTLEnabled           bool                  `json:"ttlEnabled,omitempty"`
	Tags                 []Tag                 `json:"tags,omitempty"`
}

func (m tableMeta) id() string { return m.Region + "/" + m.Name }

func (m tableMeta) key(kind string) string {
	for _, k := range m.KeySchema {
		if k.KeyType == kind {
			return k.AttributeName
		}
	}
	return ""
}

type table struct {
	meta     tableMeta
	hashKey  string
	rangeKey string // "" for a hash-only table
	// parts maps a partition key to its items by sort key.
	parts map[string]map[string]Item
	count int
	bytes int
}

func newTable(m tableMeta) *table {
	return &table{meta: m, hashKey: m.key("HASH"), rangeKey: m.key("RANGE"), parts: map[string]map[string]Item{}}
}

func (t *table) keyNames() []string {
	if t.rangeKey == "" {
		return []string{t.hashKey}
	}
	return []string{t.hashKey, t.rangeKey}
}

// locate returns the partition and sort key strings of a full primary key.
func (t *table) locate(key Item) (string, string) {
	rk := ""
	if t.rangeKey != "" {
		rk = keyString(key[t.rangeKey])
	}
	return keyString(key[t.hashKey]), rk
}

func (t *table) get(key Item) (Item, bool) {
	hk, rk := t.locate(key)
	it, ok := t.parts[hk][rk]
	return it, ok
}

func (t *table) set(key, item Item) {
	hk, rk := t.locate(key)
	part := t.parts[hk]
	if old, ok := part[rk]; ok {
		t.count--
		t.bytes -= old.size()
	}
	if item == nil {
		delete(part, rk)
		if len(part) == 0 {
			delete(t.parts, hk)
		}
		return
	}
	if part == nil {
		part = map[string]Item{}
		t.parts[hk] = part
	}
	part[rk] = item
	t.count++
	t.bytes += item.size()
}

func (t *table) bucket() []byte { return []byte("items/" + t.meta.id()) }

func storageKey(hk, rk string) []byte {
	b := binary.BigEndian.AppendUint32(nil, uint32(len(hk)))
	return append(append(b, hk...), rk...)
}

// change is one item write of a request: item nil deletes key.
type change struct {
	t    *table
	key  Item
	item Item
}

// store holds every table of every region.
type store struct {
	kv     *kv.Store
	tables map[string]*table
}

func openStore(db *bbolt.DB) (*store, error) {
	s := &store{tables: map[string]*table{}}
	var err error
	if s.kv, err = kv.Open(db, bucketRoot, bucketTables); err != nil {
		return nil, fmt.Errorf("dynamodb: load state: %w", err)
	}
	err = s.kv.View(func(root *bbolt.Bucket) error {
		return kv.ForEach(root.Bucket([]byte(bucketTables)), func(_ string, m *tableMeta) error {
			t := newTable(*m)
			s.tables[m.id()] = t
			items := root.Bucket(t.bucket())
			if items == nil {
				return nil
			}
			return kv.ForEach(items, func(_ string, it *Item) error {
				t.set(*it, *it)
				return nil
			})
		})
	})
	if err != nil {
		return nil, fmt.Errorf("dynamodb: load state: %w", err)
	}
	return s, nil
}

func (s *store) table(region, name string) *table { return s.tables[region+"/"+name] }

// putTable creates or redefines a table.
func (s *store) putTable(t *table, create bool) error {
	err := s.kv.Update(func(root *bbolt.Bucket) error {
		b, err := json.Marshal(t.meta)
		if err != nil {
			return err
		}
		if create {
			if _, err := root.CreateBucketIfNotExists(t.bucket()); err != nil {
				return err
			}
		}
		return root.Bucket([]byte(bucketTables)).Put([]byte(t.meta.id()), b)
	})
	if err != nil {
		return err
	}
	s.tables[t.meta.id()] = t
	return nil
}

func (s *store) dropTable(t *table) error {
	err := s.kv.Update(func(root *bbolt.Bucket) error {
		if err := root.DeleteBucket(t.bucket()); err != nil && err != bbolt.ErrBucketNotFound {
			return err
		}
		return root.Bucket([]byte(bucketTables)).Delete([]byte(t.meta.id()))
	})
	if err != nil {
		return err
	}
	delete(s.tables, t.meta.id())
	return nil
}

// commit writes all changes atomically: to bbolt in one transaction, then
// to memory.
func (s *store) commit(changes []change) error {
	err := s.kv.Update(func(root *bbolt.Bucket) error {
		for _, c := range changes {
			b := root.Bucket(c.t.bucket())
			if b == nil {
				return fmt.Errorf("dynamodb: table %s has no bucket", c.t.meta.Name)
			}
			k := storageKey(c.t.locate(c.key))
			if c.item == nil {
				if err := b.Delete(k); err != nil {
					return err
				}
				continue
			}
			v, err := json.Marshal(c.item)
			if err != nil {
				return err
			}
			if err := b.Put(k, v); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, c := range changes {
		c.t.set(c.key, c.item)
	}
	return nil
}
