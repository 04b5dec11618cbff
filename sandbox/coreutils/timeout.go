package coreutils

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/sockerless/sockerless/sandbox/command"
)

// parseDuration reads sleep(1)-style durations: seconds, or a number
// with an s, m, h or d suffix.
func parseDuration(a string) (time.Duration, error) {
	unit := time.Second
	num := a
	if n := len(a); n > 0 {
		if u, ok := map[byte]time.Duration{'s': time.Second, 'm': time.Minute, 'h': time.Hour, 'd': 24 * time.Hour}[a[n-1]]; ok {
			unit, num = u, a[:n-1]
		}
	}
	f, err := strconv.ParseFloat(num, 64)
	if err != nil || f < 0 || f > float64(1<<62)/float64(unit) {
		return 0, fmt.Errorf("invalid number '%s'", a)
	}
	return time.Duration(f * float64(unit)), nil
}

// timeout [-s SIG] DURATION COMMAND [ARG]... runs COMMAND and stops it
// after DURATION; otherwise it exits with COMMAND's status. A stopped
// command ends as under busybox (alpine's timeout), which execs COMMAND
// and kills it: status 128+SIGTERM and the shell's "Terminated" (GNU
// timeout's 124 is not what busybox images give). A zero DURATION means no limit. The
// command is stopped by cancelling its context, which every sandbox
// command honours, so -s only has to be accepted.
func timeout(ctx context.Context, inv *command.Invocation) int {
	o, err := parseLeadingOpts(inv.Args[1:], "sk", nil)
	if err != nil {
		return usage(inv, err)
	}
	if len(o.args) < 2 {
		return usage(inv, fmt.Errorf("usage: timeout [-s SIG] DURATION COMMAND [ARG]..."))
	}
	d, err := parseDuration(o.args[0])
	if err != nil {
		return inv.Errorf("%v", err)
	}
	run := ctx
	deadline := time.Now().Add(d)
	if d > 0 {
		var cancel context.CancelFunc
		run, cancel = context.WithDeadline(ctx, deadline)
		defer cancel()
	}
	child := *inv
	child.Args = o.args[1:]
	code := inv.Sys.Exec(run, &child)
	// The clock, not run.Err: in the WASI module the deadline is passed
	// to the host, which stops the command, and the guest's own timer
	// may not have fired yet when Exec returns.
	if ctx.Err() == nil && d > 0 && !time.Now().Before(deadline) {
		fmt.Fprintln(inv.Stderr, "Terminated")
		return 128 + 15
	}
	return code
}
