package sandbox

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/sockerless/sockerless/sandbox/command"
)

// topDelay is busybox top's default time between snapshots.
const topDelay = 5 * time.Second

// top lists the container's processes as busybox top does without a
// terminal: a snapshot at once, then one every -d seconds, -n times in
// all or until it is signalled (images run it as a long-lived main
// process). It runs in-process, where the process table is.
func (s *system) top(ctx context.Context, inv *command.Invocation) int {
	delay, count := topDelay, 0
	args := inv.Args[1:]
	const usage = "usage: top [-b] [-d SECONDS] [-n COUNT]"
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "-b" {
			continue
		}
		if len(a) < 2 || a[:2] != "-d" && a[:2] != "-n" {
			fmt.Fprintf(inv.Stderr, "top: unknown option %s\n%s\n", a, usage)
			return 1
		}
		flag, val := a[:2], a[2:] // "-d5" or "-d 5"
		if val == "" && i+1 < len(args) {
			i++
			val = args[i]
		}
		n, err := strconv.ParseFloat(val, 64)
		if err != nil || n < 0 {
			fmt.Fprintf(inv.Stderr, "top: invalid number %q for %s\n%s\n", val, flag, usage)
			return 1
		}
		if flag == "-d" {
			delay = time.Duration(n * float64(time.Second))
		} else {
			count = int(n)
		}
	}
	for i := 0; count == 0 || i < count; i++ {
		if i > 0 {
			t := time.NewTimer(delay)
			select {
			case <-ctx.Done():
				t.Stop()
				return 0 // Exec answers with the signal's status
			case <-t.C:
			}
		}
		fmt.Fprintf(inv.Stdout, "%5s %5s %s\n", "PID", "PPID", "COMMAND")
		for _, p := range ProcessesIn(s.proc.rootOf()) {
			fmt.Fprintf(inv.Stdout, "%5d %5d %s\n", p.Pid, p.PPid, strings.Join(p.Args, " "))
		}
	}
	return 0
}
