// Package protokv keeps protocol buffer messages in a service's kv.Store
// as protojson, keyed by resource name: how the GCP simulator's services
// (Firestore documents, Cloud Run jobs and executions, Logging entries)
// persist the API's own messages.
package protokv

import (
	"encoding/json"

	"go.etcd.io/bbolt"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	"github.com/sockerless/sockerless/simulators/kit/kv"
)

// Load decodes every message of the sub-bucket into a new M and hands it
// to fn with its key, in key order.
func Load[M proto.Message](store *kv.Store, bucket string, fn func(key string, m M) error) error {
	return kv.Load(store, bucket, func(key string, raw *json.RawMessage) error {
		var zero M
		m := zero.ProtoReflect().Type().New().Interface().(M)
		if err := protojson.Unmarshal(*raw, m); err != nil {
			return err
		}
		return fn(key, m)
	})
}

// LoadMap loads the sub-bucket into a map by key.
func LoadMap[M proto.Message](store *kv.Store, bucket string, into map[string]M) error {
	return Load(store, bucket, func(key string, m M) error {
		into[key] = m
		return nil
	})
}

// Save persists changed messages of the sub-bucket by key (a nil
// message: deleted) in one transaction.
func Save[M proto.Message](store *kv.Store, bucket string, changed map[string]M) error {
	return store.Update(func(root *bbolt.Bucket) error {
		b := root.Bucket([]byte(bucket))
		for key, m := range changed {
			if !m.ProtoReflect().IsValid() {
				if err := b.Delete([]byte(key)); err != nil {
					return err
				}
				continue
			}
			raw, err := protojson.Marshal(m)
			if err != nil {
				return err
			}
			if err := b.Put([]byte(key), raw); err != nil {
				return err
			}
		}
		return nil
	})
}
