// Package dynamodb simulates Amazon DynamoDB's JSON 1.0 API
// (X-Amz-Target: DynamoDB_20120810.<Operation>) over an in-memory model
// persisted to bbolt.
package dynamodb

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"sync"
	"time"

	"go.etcd.io/bbolt"
)

// TargetPrefix is the X-Amz-Target prefix of DynamoDB operations.
const TargetPrefix = "DynamoDB_20120810."

// Options configures a Service.
type Options struct {
	// DB persists tables and items; nil keeps them in memory only.
	DB *bbolt.DB
	// AccountID appears in table ARNs.
	AccountID string
	// Now is the clock used for TTL and timestamps; nil means time.Now.
	Now func() time.Time
}

// Service is a DynamoDB endpoint. One mutex serialises all requests:
// that makes every operation, TransactWriteItems included, atomic and
// strongly consistent, which is what callers of a simulator rely on.
type Service struct {
	mu      sync.Mutex
	st      *store
	account string
	now     func() time.Time
}

// New loads the persisted state from o.DB and returns a Service.
func New(o Options) (*Service, error) {
	st, err := openStore(o.DB)
	if err != nil {
		return nil, err
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.AccountID == "" {
		o.AccountID = "000000000000"
	}
	return &Service{st: st, account: o.AccountID, now: o.Now}, nil
}

type handler func(s *Service, region string, body []byte) (any, *apiError)

var handlers = map[string]handler{
	"CreateTable":        decoded((*Service).createTable),
	"DescribeTable":      decoded((*Service).describeTable),
	"DeleteTable":        decoded((*Service).deleteTable),
	"ListTables":         decoded((*Service).listTables),
	"UpdateTimeToLive":   decoded((*Service).updateTimeToLive),
	"DescribeTimeToLive": decoded((*Service).describeTimeToLive),
	"PutItem":            decoded((*Service).putItem),
	"GetItem":            decoded((*Service).getItem),
	"UpdateItem":         decoded((*Service).updateItem),
	"DeleteItem":         decoded((*Service).deleteItem),
	"Query":              decoded((*Service).query),
	"Scan":               decoded((*Service).scan),
	"BatchGetItem":       decoded((*Service).batchGetItem),
	"BatchWriteItem":     decoded((*Service).batchWriteItem),
	"TransactWriteItems": decoded((*Service).transactWriteItems),
}

// decoded adapts a typed operation to a handler that decodes its JSON input.
func decoded[In any, Out any](op func(*Service, string, *In) (Out, *apiError)) handler {
	return func(s *Service, region string, body []byte) (any, *apiError) {
		in := new(In)
		if err := json.Unmarshal(body, in); err != nil {
			var ae *apiError
			if errors.As(err, &ae) {
				return nil, ae
			}
			return nil, serialization(err.Error())
		}
		return op(s, region, in)
	}
}

// Handle serves one operation and returns the HTTP status and JSON body.
func (s *Service) Handle(region, operation string, body []byte) (int, []byte) {
	h, ok := handlers[operation]
	if !ok {
		return encodeError(&apiError{Type: nsCoral + "UnknownOperationException", Status: http.StatusBadRequest})
	}
	s.mu.Lock()
	out, aerr := h(s, region, body)
	s.mu.Unlock()
	if aerr != nil {
		return encodeError(aerr)
	}
	b, err := json.Marshal(out)
	if err != nil {
		return encodeError(internal(err))
	}
	return http.StatusOK, b
}

func encodeError(e *apiError) (int, []byte) {
	body := map[string]any{"__type": e.Type}
	if e.Message != "" {
		body["message"] = e.Message
	}
	if e.Item != nil {
		body["Item"] = e.Item
	}
	if e.Reasons != nil {
		// DynamoDB spells this one "Message", and the SDK reads reasons
		// from CancellationReasons.
		delete(body, "message")
		body["Message"] = e.Message
		body["CancellationReasons"] = e.Reasons
	}
	b, _ := json.Marshal(body)
	return e.Status, b
}

// AuthError renders a request-authentication failure as DynamoDB does.
func AuthError(kind, message string) (int, []byte) {
	return encodeError(&apiError{Type: nsCoral + kind, Message: message, Status: http.StatusBadRequest})
}

// Sweep deletes every expired item of every table with TTL enabled, as
// DynamoDB's background TTL process does, and returns how many it removed.
func (s *Service) Sweep() (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var changes []change
	for _, t := range s.st.tables {
		if !t.meta.TTLEnabled {
			continue
		}
		for _, part := range t.parts {
			for _, it := range part {
				if s.expired(t, it) {
					changes = append(changes, change{t: t, key: it})
				}
			}
		}
	}
	if len(changes) == 0 {
		return 0, nil
	}
	return len(changes), s.st.commit(changes)
}

// RunSweeper sweeps expired items every interval until ctx ends.
func (s *Service) RunSweeper(ctx context.Context, interval time.Duration) {
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			s.Sweep()
		}
	}
}

// expired reports whether it's TTL attribute (epoch seconds, type N) is in
// the past. Expired items are invisible to every read and condition.
func (s *Service) expired(t *table, it Item) bool {
	if !t.meta.TTLEnabled {
		return false
	}
	v, ok := it[t.meta.TTLAttribute]
	if !ok || v.Kind != KindN {
		return false
	}
	return mustNumber(v.S).cmp(mustNumber(strconv.FormatInt(s.now().Unix(), 10))) <= 0
}
