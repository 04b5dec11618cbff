package coreutils

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"syscall"

	"github.com/sockerless/sockerless/agent/signals"
	"github.com/sockerless/sockerless/sandbox/command"
)

// ParseSignal reads a signal as Docker does ("TERM", "SIGTERM", "15"),
// or 0, with which kill only asks whether the process is there.
func ParseSignal(s string) (syscall.Signal, bool) {
	if s == "0" {
		return 0, true
	}
	sig, err := signals.Parse(s)
	return sig, err == nil
}

// kill [-l] [-s SIG | -SIG] PID... — pids are the sandbox's pseudo pids.
func kill(_ context.Context, inv *command.Invocation) int {
	args := inv.Args[1:]
	sig := syscall.SIGTERM
	if len(args) > 0 && args[0] == "-l" {
		fmt.Fprintln(inv.Stdout, strings.Join(signals.Names(), " "))
		return 0
	}
	if len(args) > 0 && strings.HasPrefix(args[0], "-") && args[0] != "--" {
		name := args[0][1:]
		args = args[1:]
		if (name == "s" || name == "n") && len(args) > 0 {
			name, args = args[0], args[1:]
		}
		s, ok := ParseSignal(name)
		if !ok {
			return inv.Errorf("bad signal name '%s'", name)
		}
		sig = s
	}
	if len(args) > 0 && args[0] == "--" {
		args = args[1:]
	}
	if len(args) == 0 {
		return usage(inv, fmt.Errorf("usage: kill [-s SIG | -SIG] PID..."))
	}
	status := 0
	for _, a := range args {
		pid, err := strconv.Atoi(a)
		if err != nil {
			fmt.Fprintf(inv.Stderr, "kill: bad pid '%s'\n", a)
			status = 1
			continue
		}
		if err := inv.Sys.Signal(pid, sig); err != nil {
			fmt.Fprintf(inv.Stderr, "kill: can't kill pid %d: %s\n", pid, errText(err))
			status = 1
		}
	}
	return status
}
