// Package signals is the one table of signal names and numbers that a
// container's processes see, and Docker's way of reading a signal. The
// numbers are Linux's whatever the OS this code runs on, since workloads
// are Linux: the edge, the control-plane functions and the sandbox's kill
// all read signals here, so none of them takes numbers from its own
// syscall package.
package signals

import (
	"fmt"
	"strconv"
	"strings"
	"syscall"
)

// names are Linux's signals 1 to 31, by number.
var names = [...]string{
	1: "HUP", 2: "INT", 3: "QUIT", 4: "ILL", 5: "TRAP", 6: "ABRT", 7: "BUS", 8: "FPE",
	9: "KILL", 10: "USR1", 11: "SEGV", 12: "USR2", 13: "PIPE", 14: "ALRM", 15: "TERM",
	16: "STKFLT", 17: "CHLD", 18: "CONT", 19: "STOP", 20: "TSTP", 21: "TTIN", 22: "TTOU",
	23: "URG", 24: "XCPU", 25: "XFSZ", 26: "VTALRM", 27: "PROF", 28: "WINCH", 29: "IO",
	30: "PWR", 31: "SYS",
}

const (
	rtMin = 34 // glibc's SIGRTMIN: 32 and 33 are its own
	rtMax = 64
	// maxSignal is the highest signal number Linux has.
	maxSignal = rtMax
)

// byName is names inverted, with the other names Docker accepts.
var byName = func() map[string]int {
	m := map[string]int{"IOT": 6, "CLD": 17, "POLL": 29, "RTMIN": rtMin, "RTMAX": rtMax}
	for n, name := range names {
		if name != "" {
			m[name] = n
		}
	}
	return m
}()

// Parse reads a signal as Docker accepts it: "KILL", "SIGKILL",
// "sigkill", "9", or a real-time signal as "RTMIN+3" or "SIGRTMAX-1".
func Parse(s string) (syscall.Signal, error) {
	if n, err := strconv.Atoi(s); err == nil {
		if n <= 0 || n > maxSignal {
			return 0, fmt.Errorf("invalid signal: %s", s)
		}
		return syscall.Signal(n), nil
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
	n, ok := byName[base]
	if !ok || off != 0 && (n+off < rtMin || n+off > rtMax) {
		return 0, fmt.Errorf("invalid signal: %s", s)
	}
	return syscall.Signal(n + off), nil
}

// Names lists the names of signals 1 to 31 in number order, as kill -l
// prints them.
func Names() []string {
	return append([]string(nil), names[1:]...)
}
