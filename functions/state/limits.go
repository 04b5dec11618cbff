package state

import (
	"errors"
	"fmt"
)

// Size limits every store enforces, so a caller that works against the
// local store also fits in DynamoDB, Firestore and Azure Tables.
const (
	MaxKeyBytes   = 1024
	MaxValueBytes = 350 * 1024
)

// ErrInvalid: the key or value breaks the store's limits. Retrying the
// same call cannot succeed.
var ErrInvalid = errors.New("state: invalid argument")

// Check validates a key and value against the limits; stores call it
// before touching their backend. The error wraps ErrInvalid.
func Check(key string, value []byte) error {
	if err := CheckKey(key); err != nil {
		return err
	}
	if len(value) > MaxValueBytes {
		return fmt.Errorf("%w: value for key %q is %d bytes, the limit is %d", ErrInvalid, short(key), len(value), MaxValueBytes)
	}
	return nil
}

// CheckKey validates a key alone (for Get, Delete).
func CheckKey(key string) error {
	switch {
	case key == "":
		return fmt.Errorf("%w: empty key", ErrInvalid)
	case len(key) > MaxKeyBytes:
		return fmt.Errorf("%w: key %q is %d bytes, the limit is %d", ErrInvalid, short(key), len(key), MaxKeyBytes)
	}
	return nil
}

// short keeps error messages readable when the key itself is the problem.
func short(key string) string {
	if len(key) > 64 {
		return key[:64] + "..."
	}
	return key
}
