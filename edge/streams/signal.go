package streams

import (
	"fmt"
	"strconv"
	"strings"
)

// linuxSignals maps Docker's signal names to Linux numbers. Workloads
// are Linux whatever the edge runs on, so the table is fixed rather
// than taken from the edge's syscall package.
var linuxSignals = map[string]int{
	"HUP": 1, "INT": 2, "QUIT": 3, "ILL": 4, "TRAP": 5, "ABRT": 6, "IOT": 6,
	"BUS": 7, "FPE": 8, "KILL": 9, "USR1": 10, "SEGV": 11, "USR2": 12,
	"PIPE": 13, "ALRM": 14, "TERM": 15, "STKFLT": 16, "CHLD": 17, "CLD": 17,
	"CONT": 18, "STOP": 19, "TSTP": 20, "TTIN": 21, "TTOU": 22, "URG": 23,
	"XCPU": 24, "XFSZ": 25, "VTALRM": 26, "PROF": 27, "WINCH": 28, "IO": 29,
	"POLL": 29, "PWR": 30, "SYS": 31, "RTMIN": 34, "RTMAX": 64,
}

const (
	sigKill = 9
	sigTerm = 15
)

// parseSignal reads a signal as Docker accepts it: "KILL", "SIGKILL",
// "sigkill", "9", "RTMIN+3". An empty string is def.
func parseSignal(s string, def int) (int, error) {
	if s == "" {
		return def, nil
	}
	if n, err := strconv.Atoi(s); err == nil {
		if n <= 0 || n > 64 {
			return 0, fmt.Errorf("invalid signal: %s", s)
		}
		return n, nil
	}
	name := strings.TrimPrefix(strings.ToUpper(s), "SIG")
	base, off := name, 0
	if i := strings.IndexAny(name, "+-"); i > 0 && strings.HasPrefix(name, "RT") {
		n, err := strconv.Atoi(name[i:])
		if err != nil {
			return 0, fmt.Errorf("invalid signal: %s", s)
		}
		base, off = name[:i], n
	}
	n, ok := linuxSignals[base]
	if !ok || n+off < 34 && off != 0 || n+off > 64 {
		return 0, fmt.Errorf("invalid signal: %s", s)
	}
	return n + off, nil
}
