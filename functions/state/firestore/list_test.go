package firestore

import (
	"strings"
	"testing"
)

func TestPrefixEnd(t *testing.T) {
	tests := []struct {
		name, prefix, want string
		ok                 bool
	}{
		{"ascii", "containers/", "containers0", true},
		{"multibyte last rune", "ns/ключ", "ns/клюш", true},
		{"before the surrogates", "a\ud7ff", "a\ue000", true},
		{"last rune has no successor", "a\U0010ffff", "b", true},
		{"empty", "", "", false},
		{"only the greatest rune", "\U0010ffff", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := prefixEnd(tt.prefix)
			if got != tt.want || ok != tt.ok {
				t.Fatalf("prefixEnd(%q) = %q, %v, want %q, %v", tt.prefix, got, ok, tt.want, tt.ok)
			}
			if ok && (got <= tt.prefix || strings.HasPrefix(got, tt.prefix)) {
				t.Fatalf("%q does not sort past every key under %q", got, tt.prefix)
			}
		})
	}
}
