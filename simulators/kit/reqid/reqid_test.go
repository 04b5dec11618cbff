package reqid

import (
	"regexp"
	"testing"
)

var uuidRE = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

// TestNewIsAUniqueUUIDShapedID proves every ID has the layout SDKs accept
// and that IDs do not repeat.
func TestNewIsAUniqueUUIDShapedID(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		id := New()
		if !uuidRE.MatchString(id) {
			t.Fatalf("New() = %q, not 8-4-4-4-12 lower-case hex", id)
		}
		if seen[id] {
			t.Fatalf("New() repeated %q", id)
		}
		seen[id] = true
	}
}
