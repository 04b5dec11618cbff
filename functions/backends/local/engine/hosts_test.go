package engine

import (
	"slices"
	"testing"
)

// TestLoopbackHosts proves network peers become --add-host entries to
// loopback, and no peers add none.
func TestLoopbackHosts(t *testing.T) {
	for _, tc := range []struct {
		name  string
		peers []string
		want  []string
	}{
		{name: "no peers", peers: nil, want: nil},
		{name: "names and aliases to loopback", peers: []string{"db", "database"},
			want: []string{"db:127.0.0.1", "database:127.0.0.1"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := loopbackHosts(tc.peers); !slices.Equal(got, tc.want) {
				t.Errorf("loopbackHosts(%q) = %q, want %q", tc.peers, got, tc.want)
			}
		})
	}
}
