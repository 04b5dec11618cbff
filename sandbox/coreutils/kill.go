package coreutils

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"syscall"

	"github.com/sockerless/sockerless/sandbox/command"
)

// signals are the names kill accepts, in signal-number order for -l.
var signals = []struct {
	name string
	sig  syscall.Signal
}{
	{"HUP", syscall.SIGHUP}, {"INT", syscall.SIGINT}, {"QUIT", syscall.SIGQUIT},
	{"ILL", syscall.SIGILL}, {"TRAP", syscall.SIGTRAP}, {"ABRT", syscall.SIGABRT},
	{"BUS", syscall.SIGBUS}, {"FPE", syscall.SIGFPE}, {"KILL", syscall.SIGKILL},
	{"USR1", syscall.SIGUSR1}, {"SEGV", syscall.SIGSEGV}, {"USR2", syscall.SIGUSR2},
	{"PIPE", syscall.SIGPIPE}, {"ALRM", syscall.SIGALRM}, {"TERM", syscall.SIGTERM},
	{"CHLD", syscall.SIGCHLD}, {"CONT", syscall.SIGCONT}, {"STOP", syscall.SIGSTOP},
	{"TSTP", syscall.SIGTSTP}, {"WINCH", syscall.SIGWINCH},
}

// ParseSignal reads "TERM", "SIGTERM" or "15".
func ParseSignal(s string) (syscall.Signal, bool) {
	if n, err := strconv.Atoi(s); err == nil {
		return syscall.Signal(n), n >= 0 && n < 65
	}
	s = strings.TrimPrefix(strings.ToUpper(s), "SIG")
	for _, e := range signals {
		if e.name == s {
			return e.sig, true
		}
	}
	return 0, false
}

// kill [-l] [-s SIG | -SIG] PID... — pids are the sandbox's pseudo pids.
func kill(_ context.Context, inv *command.Invocation) int {
	args := inv.Args[1:]
	sig := syscall.SIGTERM
	if len(args) > 0 && args[0] == "-l" {
		var names []string
		for _, e := range signals {
			names = append(names, e.name)
		}
		fmt.Fprintln(inv.Stdout, strings.Join(names, " "))
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
