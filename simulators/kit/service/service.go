// Package service is the shape every simulated service shares: what it
// is built with (Base: state file, account or project, clock), what it
// holds (State: that, its loaded state and the lock that serialises its
// operations) and how the simulator's one port finds it (a Router of
// registered Routes, tried in order).
//
// The AWS simulator registers DynamoDB, CloudWatch Logs, ECR, ECS, Lambda,
// IAM and STS as routes told apart by X-Amz-Target, path or query Action;
// a GCP simulator registers Firestore, Cloud Run, Logging, Artifact
// Registry, Storage and IAM the same way, told apart by host or path.
package service

import (
	"sync"
	"time"

	"go.etcd.io/bbolt"
)

// Base is what a simulated service is built with.
type Base struct {
	// DB persists the service's state; nil keeps it in memory only.
	DB *bbolt.DB
	// AccountID is the account (AWS) or project (GCP) the service
	// belongs to; it appears in resource names and ARNs.
	AccountID string
	// Now is the service's clock; nil means time.Now.
	Now func() time.Time
}

// Defaults returns b with the clock set to time.Now and the account to
// account where they are unset.
func (b Base) Defaults(account string) Base {
	if b.Now == nil {
		b.Now = time.Now
	}
	if b.AccountID == "" {
		b.AccountID = account
	}
	return b
}

// State is what a service value holds: what it was built with, its state
// loaded from the state file, and the one lock that serialises the
// operations on it, which makes each operation atomic.
type State[St any] struct {
	Base
	Mu sync.Mutex
	St St
}

// Open fills in b's defaults (account where none is given) and loads the
// service's state from b.DB with open.
func Open[St any](b Base, account string, open func(*bbolt.DB) (St, error)) (*State[St], error) {
	st, err := open(b.DB)
	if err != nil {
		return nil, err
	}
	return &State[St]{Base: b.Defaults(account), St: st}, nil
}
