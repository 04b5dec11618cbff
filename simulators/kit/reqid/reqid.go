// Package reqid makes the random identifiers a simulated API hands out
// with every answer: request IDs, revision IDs, execution IDs.
//
// The AWS services put New in x-amzn-RequestId headers, query-protocol
// ResponseMetadata and Lambda invocations; a GCP simulator uses it for
// operation and execution names and Cloud Run's request IDs.
package reqid

import (
	"crypto/rand"
	"encoding/hex"
)

// New returns a random identifier in the UUID layout clouds use for
// request IDs: 32 lower-case hex digits grouped 8-4-4-4-12.
func New() string {
	var b [16]byte
	rand.Read(b[:])
	h := hex.EncodeToString(b[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}
