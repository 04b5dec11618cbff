package streams

import "testing"

func TestParseSignal(t *testing.T) {
	tests := []struct {
		in   string
		want int
		ok   bool
	}{
		{"", sigKill, true},
		{"KILL", 9, true},
		{"SIGKILL", 9, true},
		{"sigterm", 15, true},
		{"9", 9, true},
		{"USR1", 10, true},
		{"SIGRTMIN+3", 37, true},
		{"RTMAX-1", 63, true},
		{"0", 0, false},
		{"65", 0, false},
		{"NOPE", 0, false},
		{"RTMIN+40", 0, false},
		{"KILL+1", 0, false},
	}
	for _, tt := range tests {
		got, err := parseSignal(tt.in, sigKill)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("parseSignal(%q) = %d, %v; want %d, ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}
