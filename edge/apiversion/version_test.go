package apiversion

import "testing"

func TestCheck(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"", "1.56", true},
		{"1.24", "1.24", true},
		{"1.56", "1.56", true},
		{"1.9", "", false},   // numeric, not string, order: 1.9 < 1.24
		{"1.100", "", false}, // 1.100 > 1.56
		{"1.23", "", false},
		{"1.57", "", false},
		{"2", "", false},
	}
	for _, tt := range tests {
		got, err := Check(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("Check(%q) = %q, %v; want %q, ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}
