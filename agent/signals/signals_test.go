package signals

import (
	"syscall"
	"testing"
)

func TestParse(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want syscall.Signal
		ok   bool
	}{
		{"bare name", "KILL", 9, true},
		{"SIG prefix", "SIGKILL", 9, true},
		{"lower case", "sigterm", 15, true},
		{"number", "9", 9, true},
		{"Linux number, not the host's", "USR1", 10, true},
		{"Linux-only signal", "SIGPWR", 30, true},
		{"alias", "IOT", 6, true},
		{"real-time above RTMIN", "SIGRTMIN+3", 37, true},
		{"real-time below RTMAX", "RTMAX-1", 63, true},
		{"highest number", "64", 64, true},
		{"zero is no signal", "0", 0, false},
		{"number past Linux's last", "65", 0, false},
		{"negative number", "-1", 0, false},
		{"unknown name", "NOPE", 0, false},
		{"empty", "", 0, false},
		{"real-time offset past RTMAX", "RTMIN+40", 0, false},
		{"real-time offset below RTMIN", "RTMIN-1", 0, false},
		{"offset on a standard signal", "KILL+1", 0, false},
		{"offset that is no number", "RTMIN+x", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse(tt.in)
			if (err == nil) != tt.ok || got != tt.want {
				t.Errorf("Parse(%q) = %d, %v; want %d, ok=%v", tt.in, got, err, tt.want, tt.ok)
			}
		})
	}
}

func TestNamesAreInNumberOrder(t *testing.T) {
	got := Names()
	if len(got) != 31 || got[0] != "HUP" || got[8] != "KILL" || got[30] != "SYS" {
		t.Fatalf("Names() = %v; want HUP to SYS, KILL ninth", got)
	}
	for i, name := range got {
		if n, err := Parse(name); err != nil || int(n) != i+1 {
			t.Errorf("Parse(%q) = %d, %v; want %d", name, n, err, i+1)
		}
	}
}
