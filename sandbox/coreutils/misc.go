package coreutils

import (
	"context"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/sockerless/sockerless/sandbox/command"
)

func trueCmd(context.Context, *command.Invocation) int  { return 0 }
func falseCmd(context.Context, *command.Invocation) int { return 1 }

// sleep DURATION... — seconds, or with an s/m/h/d suffix; the arguments add up.
func sleep(ctx context.Context, inv *command.Invocation) int {
	if len(inv.Args) < 2 {
		return usage(inv, fmt.Errorf("missing operand"))
	}
	var total time.Duration
	for _, a := range inv.Args[1:] {
		unit := time.Second
		num := a
		if n := len(a); n > 0 {
			if u, ok := map[byte]time.Duration{'s': time.Second, 'm': time.Minute, 'h': time.Hour, 'd': 24 * time.Hour}[a[n-1]]; ok {
				unit, num = u, a[:n-1]
			}
		}
		f, err := strconv.ParseFloat(num, 64)
		if err != nil || f < 0 || math.IsInf(f, 0) {
			return inv.Errorf("invalid number '%s'", a)
		}
		total += time.Duration(f * float64(unit))
	}
	t := time.NewTimer(total)
	defer t.Stop()
	select {
	case <-t.C:
		return 0
	case <-ctx.Done():
		return 1
	}
}

// echo [-neE] [ARG]... for when it runs as /bin/echo rather than the
// shell builtin.
func echo(_ context.Context, inv *command.Invocation) int {
	args := inv.Args[1:]
	newline, escapes := true, false
	for len(args) > 0 && len(args[0]) > 1 && strings.Trim(args[0], "-neE") == "" && args[0][0] == '-' {
		for _, c := range args[0][1:] {
			switch c {
			case 'n':
				newline = false
			case 'e':
				escapes = true
			case 'E':
				escapes = false
			}
		}
		args = args[1:]
	}
	s := strings.Join(args, " ")
	if escapes {
		// As printf's %b: \0NNN octal, and \c ends the output, newline
		// included.
		out, _, stop := unescape(s, true)
		s = out
		if stop {
			newline = false
		}
	}
	if newline {
		s += "\n"
	}
	io.WriteString(inv.Stdout, s)
	return 0
}

// printf FORMAT [ARG]... — the shell's printf is rerouted here too, so
// both behave alike (see format.go).
func printf(_ context.Context, inv *command.Invocation) int {
	if len(inv.Args) < 2 {
		return usage(inv, fmt.Errorf("missing format"))
	}
	format := inv.Args[1]
	st := &printfState{args: inv.Args[2:]}
	for {
		before := st.used
		out, err := st.format(format)
		io.WriteString(inv.Stdout, out)
		if err != nil {
			return inv.Errorf("%v", err)
		}
		// Like printf(1), reuse the format while arguments remain.
		if st.stop || st.used == before || st.used >= len(st.args) {
			break
		}
	}
	for _, a := range st.badNums {
		inv.Errorf("invalid number '%s'", a)
	}
	if len(st.badNums) > 0 {
		return 1
	}
	return 0
}

// seq [-w] [-s SEP] [FIRST [INC]] LAST; -w pads with leading zeros to
// the widest number printed.
func seq(_ context.Context, inv *command.Invocation) int {
	o, err := parseLeadingOpts(inv.Args[1:], "s", nil)
	if err != nil || len(o.args) == 0 || len(o.args) > 3 {
		return usage(inv, fmt.Errorf("usage: seq [-w] [-s SEP] [FIRST [INC]] LAST"))
	}
	nums := make([]float64, len(o.args))
	for i, a := range o.args {
		if nums[i], err = strconv.ParseFloat(a, 64); err != nil {
			return inv.Errorf("invalid number '%s'", a)
		}
	}
	first, inc, last := 1.0, 1.0, nums[len(nums)-1]
	if len(nums) > 1 {
		first = nums[0]
	}
	if len(nums) == 3 {
		inc = nums[1]
	}
	if inc == 0 {
		return inv.Errorf("invalid increment")
	}
	sep, ok := o.val['s']
	if !ok {
		sep = "\n"
	}
	var out []string
	width := 0
	for x, i := first, 0; (inc > 0 && x <= last) || (inc < 0 && x >= last); x, i = first+float64(i+1)*inc, i+1 {
		s := strconv.FormatFloat(x, 'f', -1, 64)
		out = append(out, s)
		width = max(width, len(s))
	}
	if o.has('w') {
		for i, s := range out {
			digits, sign := strings.CutPrefix(s, "-")
			pad := strings.Repeat("0", width-len(s))
			if sign {
				out[i] = "-" + pad + digits
			} else {
				out[i] = pad + s
			}
		}
	}
	if len(out) > 0 {
		io.WriteString(inv.Stdout, strings.Join(out, sep)+"\n")
	}
	return 0
}

// yes [STRING]... until the reader goes away or the command is stopped.
func yes(ctx context.Context, inv *command.Invocation) int {
	line := "y\n"
	if len(inv.Args) > 1 {
		line = strings.Join(inv.Args[1:], " ") + "\n"
	}
	buf := []byte(strings.Repeat(line, max(1, 4096/len(line))))
	for ctx.Err() == nil {
		if _, err := inv.Stdout.Write(buf); err != nil {
			return 1
		}
	}
	return 1
}

// basename NAME [SUFFIX]
func basename(_ context.Context, inv *command.Invocation) int {
	if len(inv.Args) < 2 {
		return usage(inv, fmt.Errorf("missing operand"))
	}
	b := baseName(inv.Args[1])
	if len(inv.Args) > 2 && b != inv.Args[2] {
		b = strings.TrimSuffix(b, inv.Args[2])
	}
	fmt.Fprintln(inv.Stdout, b)
	return 0
}

// dirname NAME
func dirname(_ context.Context, inv *command.Invocation) int {
	if len(inv.Args) < 2 {
		return usage(inv, fmt.Errorf("missing operand"))
	}
	p := strings.TrimRight(inv.Args[1], "/")
	i := strings.LastIndexByte(p, '/')
	switch {
	case inv.Args[1] != "" && p == "":
		p = "/"
	case i < 0:
		p = "."
	default:
		p = strings.TrimRight(p[:i], "/")
		if p == "" {
			p = "/"
		}
	}
	fmt.Fprintln(inv.Stdout, p)
	return 0
}

// which NAME... through the sandbox's own lookup.
func which(_ context.Context, inv *command.Invocation) int {
	status := 0
	for _, name := range inv.Args[1:] {
		p, err := inv.Sys.LookPath(name, inv.Env)
		if err != nil {
			status = 1
			continue
		}
		fmt.Fprintln(inv.Stdout, p)
	}
	return status
}
