// Package dynamodb simulates Amazon DynamoDB's JSON 1.0 API
// (X-Amz-Target: DynamoDB_20120810.<Operation>) over an in-memory model
// persisted to bbolt.
package dynamodb

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/sockerless/sockerless/simulators/aws/internal/awsjson"
	"github.com/sockerless/sockerless/simulators/kit/service"
)

// TargetPrefix is the X-Amz-Target prefix of DynamoDB operations.
const TargetPrefix = "DynamoDB_20120810."

// Service is a DynamoDB endpoint. One mutex serialises all requests:
// that makes every operation, TransactWriteItems included, atomic and
// strongly consistent, which is what callers of a simulator rely on.
type Service struct{ awsjson.Core[*store] }

// New loads the persisted state from o.DB and returns a Service.
func New(o service.Base) (*Service, error) {
	return awsjson.Open(o, openStore, &api, func(c awsjson.Core[*store]) *Service { return &Service{c} })
}

var api = awsjson.API[Service]{
	Ops: map[string]awsjson.Handler[Service]{
		"CreateTable":        awsjson.Op((*Service).createTable),
		"DescribeTable":      awsjson.Op((*Service).describeTable),
		"DeleteTable":        awsjson.Op((*Service).deleteTable),
		"ListTables":         awsjson.Op((*Service).listTables),
		"UpdateTimeToLive":   awsjson.Op((*Service).updateTimeToLive),
		"DescribeTimeToLive": awsjson.Op((*Service).describeTimeToLive),
		"PutItem":            awsjson.Op((*Service).putItem),
		"GetItem":            awsjson.Op((*Service).getItem),
		"UpdateItem":         awsjson.Op((*Service).updateItem),
		"DeleteItem":         awsjson.Op((*Service).deleteItem),
		"Query":              awsjson.Op((*Service).query),
		"Scan":               awsjson.Op((*Service).scan),
		"BatchGetItem":       awsjson.Op((*Service).batchGetItem),
		"BatchWriteItem":     awsjson.Op((*Service).batchWriteItem),
		"TransactWriteItems": awsjson.Op((*Service).transactWriteItems),
		"TagResource":        awsjson.Op((*Service).tagResource),
		"UntagResource":      awsjson.Op((*Service).untagResource),
		"ListTagsOfResource": awsjson.Op((*Service).listTagsOfResource),
		// Backups are not simulated; their description says so truthfully.
		"DescribeContinuousBackups": awsjson.Op((*Service).describeContinuousBackups),
	},
	// DynamoDB speaks JSON 1.0: an empty body is malformed, and the
	// protocol's own errors carry the coral namespace.
	RequireBody: true,
	Unknown: func(string) awsjson.Fault {
		return &apiError{Type: nsCoral + "UnknownOperationException", Status: http.StatusBadRequest}
	},
	Malformed: func(err error) awsjson.Fault { return serialization(err.Error()) },
	Internal:  func(err error) awsjson.Fault { return internal(err) },
}

// AuthError renders a request-authentication failure as DynamoDB does.
func AuthError(kind, message string) (int, []byte) {
	return (&apiError{Type: nsCoral + kind, Message: message, Status: http.StatusBadRequest}).Response()
}

// Sweep deletes every expired item of every table with TTL enabled, as
// DynamoDB's background TTL process does, and returns how many it removed.
func (s *Service) Sweep() (int, error) {
	s.Mu.Lock()
	defer s.Mu.Unlock()
	var changes []change
	for _, t := range s.St.tables {
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
	return len(changes), s.St.commit(changes)
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
	return mustNumber(v.S).cmp(mustNumber(strconv.FormatInt(s.Now().Unix(), 10))) <= 0
}
