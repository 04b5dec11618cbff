package coreutils

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/sockerless/sockerless/sandbox/command"
)

// uname [-asnrvmo]: the kernel fields are the host's, as in a container.
func uname(_ context.Context, inv *command.Invocation) int {
	o, err := parseOpts(inv.Args[1:], "", map[string]byte{"all": 'a'})
	if err != nil {
		return usage(inv, err)
	}
	k := inv.Sys.Kernel()
	fields := []struct {
		flag byte
		val  string
	}{
		{'s', "Linux"}, {'n', inv.Sys.Hostname()}, {'r', k.Release},
		{'v', k.Version}, {'m', k.Machine}, {'o', "Linux"},
	}
	var out []string
	for _, f := range fields {
		if o.has('a') || o.has(f.flag) {
			out = append(out, f.val)
		}
	}
	if len(out) == 0 {
		out = []string{"Linux"}
	}
	fmt.Fprintln(inv.Stdout, strings.Join(out, " "))
	return 0
}

func hostname(_ context.Context, inv *command.Invocation) int {
	fmt.Fprintln(inv.Stdout, inv.Sys.Hostname())
	return 0
}

// id [-u|-g|-G] [-n]
func id(_ context.Context, inv *command.Invocation) int {
	o, err := parseOpts(inv.Args[1:], "", nil)
	if err != nil {
		return usage(inv, err)
	}
	u := inv.Sys.User()
	switch {
	case o.has('u') && o.has('n'):
		fmt.Fprintln(inv.Stdout, u.Name)
	case o.has('u'):
		fmt.Fprintln(inv.Stdout, u.UID)
	case (o.has('g') || o.has('G')) && o.has('n'):
		fmt.Fprintln(inv.Stdout, u.GroupName)
	case o.has('g') || o.has('G'):
		fmt.Fprintln(inv.Stdout, u.GID)
	default:
		fmt.Fprintf(inv.Stdout, "uid=%d(%s) gid=%d(%s) groups=%d(%s)\n", u.UID, u.Name, u.GID, u.GroupName, u.GID, u.GroupName)
	}
	return 0
}

func whoami(_ context.Context, inv *command.Invocation) int {
	fmt.Fprintln(inv.Stdout, inv.Sys.User().Name)
	return 0
}

// date [-u] [-d @SECONDS] [+FORMAT]
func date(_ context.Context, inv *command.Invocation) int {
	o, err := parseOpts(inv.Args[1:], "dr", map[string]byte{"utc": 'u'})
	if err != nil {
		return usage(inv, err)
	}
	t := time.Now()
	if d, ok := o.val['d']; ok {
		secs, err := strconv.ParseInt(strings.TrimPrefix(d, "@"), 10, 64)
		if err != nil || !strings.HasPrefix(d, "@") {
			return inv.Errorf("invalid date '%s'", d)
		}
		t = time.Unix(secs, 0)
	}
	loc := time.UTC
	if tz := inv.Getenv("TZ"); tz != "" && !o.has('u') {
		if l, err := time.LoadLocation(tz); err == nil {
			loc = l
		}
	}
	t = t.In(loc)
	format := "%a %b %e %H:%M:%S %Z %Y"
	for _, a := range o.args {
		if strings.HasPrefix(a, "+") {
			format = a[1:]
		}
	}
	fmt.Fprintln(inv.Stdout, strftime(t, format))
	return 0
}

// strftime implements the common conversions of strftime(3).
func strftime(t time.Time, f string) string {
	var b strings.Builder
	for i := 0; i < len(f); i++ {
		if f[i] != '%' || i+1 == len(f) {
			b.WriteByte(f[i])
			continue
		}
		i++
		switch f[i] {
		case 'Y':
			fmt.Fprintf(&b, "%04d", t.Year())
		case 'y':
			fmt.Fprintf(&b, "%02d", t.Year()%100)
		case 'm':
			fmt.Fprintf(&b, "%02d", int(t.Month()))
		case 'd':
			fmt.Fprintf(&b, "%02d", t.Day())
		case 'e':
			fmt.Fprintf(&b, "%2d", t.Day())
		case 'H':
			fmt.Fprintf(&b, "%02d", t.Hour())
		case 'I':
			fmt.Fprintf(&b, "%02d", (t.Hour()+11)%12+1)
		case 'M':
			fmt.Fprintf(&b, "%02d", t.Minute())
		case 'S':
			fmt.Fprintf(&b, "%02d", t.Second())
		case 'N':
			fmt.Fprintf(&b, "%09d", t.Nanosecond())
		case 's':
			fmt.Fprintf(&b, "%d", t.Unix())
		case 'j':
			fmt.Fprintf(&b, "%03d", t.YearDay())
		case 'a':
			b.WriteString(t.Format("Mon"))
		case 'A':
			b.WriteString(t.Format("Monday"))
		case 'b', 'h':
			b.WriteString(t.Format("Jan"))
		case 'B':
			b.WriteString(t.Format("January"))
		case 'p':
			b.WriteString(t.Format("PM"))
		case 'Z':
			b.WriteString(t.Format("MST"))
		case 'z':
			b.WriteString(t.Format("-0700"))
		case 'F':
			b.WriteString(t.Format("2006-01-02"))
		case 'T':
			b.WriteString(t.Format("15:04:05"))
		case 'D':
			b.WriteString(t.Format("01/02/06"))
		case 'R':
			b.WriteString(t.Format("15:04"))
		case 'u':
			fmt.Fprintf(&b, "%d", (int(t.Weekday())+6)%7+1)
		case 'w':
			fmt.Fprintf(&b, "%d", int(t.Weekday()))
		case 'n':
			b.WriteByte('\n')
		case 't':
			b.WriteByte('\t')
		case '%':
			b.WriteByte('%')
		default:
			b.WriteByte('%')
			b.WriteByte(f[i])
		}
	}
	return b.String()
}

// env [-i] [-u NAME] [NAME=VALUE]... [COMMAND [ARG]...]
func env(ctx context.Context, inv *command.Invocation) int {
	args := inv.Args[1:]
	vars := append([]string(nil), inv.Env...)
	for len(args) > 0 {
		a := args[0]
		switch {
		case a == "-i" || a == "-" || a == "--ignore-environment":
			vars = nil
		case a == "-u" && len(args) > 1:
			vars = unsetVar(vars, args[1])
			args = args[1:]
		case a == "--":
			args = args[1:]
			goto assignments
		case strings.HasPrefix(a, "-") && len(a) > 1:
			return usage(inv, fmt.Errorf("unrecognized option '%s'", a))
		default:
			goto assignments
		}
		args = args[1:]
	}
assignments:
	for len(args) > 0 && strings.Contains(args[0], "=") {
		k, _, _ := strings.Cut(args[0], "=")
		vars = append(unsetVar(vars, k), args[0])
		args = args[1:]
	}
	if len(args) == 0 {
		for _, v := range vars {
			fmt.Fprintln(inv.Stdout, v)
		}
		return 0
	}
	sub := *inv
	sub.Args, sub.Env = args, vars
	return inv.Sys.Exec(ctx, &sub)
}

func unsetVar(vars []string, name string) []string {
	out := vars[:0:0]
	for _, v := range vars {
		if k, _, _ := strings.Cut(v, "="); k != name {
			out = append(out, v)
		}
	}
	return out
}

// printenv [NAME]...
func printenv(_ context.Context, inv *command.Invocation) int {
	if len(inv.Args) == 1 {
		for _, v := range inv.Env {
			fmt.Fprintln(inv.Stdout, v)
		}
		return 0
	}
	status := 0
	for _, name := range inv.Args[1:] {
		found := false
		for _, v := range inv.Env {
			if k, val, _ := strings.Cut(v, "="); k == name {
				fmt.Fprintln(inv.Stdout, val)
				found = true
			}
		}
		if !found {
			status = 1
		}
	}
	return status
}

func pwd(_ context.Context, inv *command.Invocation) int {
	fmt.Fprintln(inv.Stdout, inv.Dir)
	return 0
}
