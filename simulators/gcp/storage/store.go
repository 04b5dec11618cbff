package storage

import (
	"bytes"
	"encoding/json"

	"go.etcd.io/bbolt"

	"github.com/sockerless/sockerless/simulators/kit/kv"
)

// bucket is a bucket and the project it belongs to.
type bucket struct {
	Project string   `json:"project"`
	Res     resource `json:"resource"`
}

// object is an object's live generation: its resource and its bytes.
type object struct {
	Res  resource `json:"resource"`
	Data []byte   `json:"-"`
}

func objectKey(b, name string) string { return b + "\x00" + name }

func (s *Service) load() error {
	if err := kv.Load(s.kv, bucketBuckets, func(name string, b *bucket) error {
		s.buckets[name] = b
		s.objects[name] = map[string]*object{}
		return nil
	}); err != nil {
		return err
	}
	return s.kv.View(func(root *bbolt.Bucket) error {
		data := root.Bucket([]byte(bucketData))
		return kv.ForEach(root.Bucket([]byte(bucketObjects)), func(key string, o *object) error {
			o.Data = bytes.Clone(data.Get([]byte(key)))
			b := o.Res.str("bucket")
			if s.objects[b] == nil {
				s.objects[b] = map[string]*object{}
			}
			s.objects[b][o.Res.str("name")] = o
			s.lastGen = max(s.lastGen, o.Res.int("generation"))
			return nil
		})
	})
}

func (s *Service) saveBucket(name string, b *bucket) error {
	if b == nil {
		return s.kv.Delete(bucketBuckets, name)
	}
	return s.kv.Put(bucketBuckets, name, b)
}

// saveObject writes (o) or deletes (nil) an object's record and bytes in
// one transaction.
func (s *Service) saveObject(b, name string, o *object) error {
	key := []byte(objectKey(b, name))
	return s.kv.Update(func(root *bbolt.Bucket) error {
		meta, data := root.Bucket([]byte(bucketObjects)), root.Bucket([]byte(bucketData))
		if o == nil {
			if err := meta.Delete(key); err != nil {
				return err
			}
			return data.Delete(key)
		}
		raw, err := json.Marshal(o)
		if err != nil {
			return err
		}
		if err := meta.Put(key, raw); err != nil {
			return err
		}
		return data.Put(key, o.Data)
	})
}
