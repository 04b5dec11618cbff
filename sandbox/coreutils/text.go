package coreutils

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode"

	"github.com/sockerless/sockerless/sandbox/command"
)

// wc [-l] [-w] [-c] [FILE]...
func wc(ctx context.Context, inv *command.Invocation) int {
	o, err := parseOpts(inv.Args[1:], "", map[string]byte{"lines": 'l', "words": 'w', "bytes": 'c'})
	if err != nil {
		return usage(inv, err)
	}
	show := []bool{o.has('l'), o.has('w'), o.has('c') || o.has('m')}
	if !show[0] && !show[1] && !show[2] {
		show = []bool{true, true, true}
	}
	shown := 0
	for _, s := range show {
		if s {
			shown++
		}
	}
	var total [3]int
	// busybox pads columns to 9 only when it prints more than one.
	print := func(c [3]int, name string) {
		var b strings.Builder
		for i, s := range show {
			switch {
			case !s:
			case shown == 1:
				fmt.Fprintf(&b, "%d", c[i])
			case b.Len() == 0:
				fmt.Fprintf(&b, "%9d", c[i])
			default:
				fmt.Fprintf(&b, " %9d", c[i])
			}
		}
		if name != "" {
			b.WriteString(" " + name)
		}
		fmt.Fprintln(inv.Stdout, b.String())
	}
	status := eachInput(inv, o.args, func(name string, r io.Reader) error {
		var c [3]int
		inWord := false
		err := eachLine(ctx, r, func(s string) error {
			c[2] += len(s)
			if strings.HasSuffix(s, "\n") {
				c[0]++
			}
			for _, ch := range s {
				if unicode.IsSpace(ch) {
					inWord = false
				} else if !inWord {
					inWord = true
					c[1]++
				}
			}
			return nil
		})
		for i := range c {
			total[i] += c[i]
		}
		if name == "-" {
			name = ""
		}
		print(c, name)
		return err
	})
	if len(o.args) > 1 {
		print(total, "total")
	}
	return status
}

// cut -f LIST [-d DELIM] [-s] | -c LIST | -b LIST [FILE]...
func cut(ctx context.Context, inv *command.Invocation) int {
	o, err := parseOpts(inv.Args[1:], "dfcb", nil)
	if err != nil {
		return usage(inv, err)
	}
	list, fields := o.val['f'], true
	if list == "" {
		list, fields = o.val['c']+o.val['b'], false
	}
	ranges, err := parseRanges(list)
	if err != nil {
		return usage(inv, err)
	}
	delim := "\t"
	if d, ok := o.val['d']; ok {
		delim = d
	}
	return eachInput(inv, o.args, func(_ string, r io.Reader) error {
		return eachLine(ctx, r, func(s string) error {
			s = strings.TrimSuffix(s, "\n")
			var out string
			if fields {
				if !strings.Contains(s, delim) {
					if o.has('s') {
						return nil
					}
					out = s
				} else {
					out = strings.Join(pick(strings.Split(s, delim), ranges), delim)
				}
			} else {
				out = strings.Join(pick(strings.Split(s, ""), ranges), "")
			}
			_, err := fmt.Fprintln(inv.Stdout, out)
			return err
		})
	})
}

type span struct{ lo, hi int } // 1-based, inclusive; hi 0 means to the end

func parseRanges(list string) ([]span, error) {
	if list == "" {
		return nil, errors.New("must specify a list of bytes, characters, or fields")
	}
	var out []span
	for _, part := range strings.Split(list, ",") {
		lo, hi, isRange := strings.Cut(part, "-")
		var s span
		var err error
		if lo != "" {
			if s.lo, err = strconv.Atoi(lo); err != nil || s.lo < 1 {
				return nil, fmt.Errorf("invalid range '%s'", part)
			}
		} else {
			s.lo = 1
		}
		switch {
		case !isRange:
			s.hi = s.lo
		case hi != "":
			if s.hi, err = strconv.Atoi(hi); err != nil {
				return nil, fmt.Errorf("invalid range '%s'", part)
			}
		}
		out = append(out, s)
	}
	return out, nil
}

// pick keeps the items selected by ranges, in input order.
func pick(items []string, ranges []span) []string {
	var out []string
	for i, it := range items {
		for _, r := range ranges {
			if i+1 >= r.lo && (r.hi == 0 || i+1 <= r.hi) {
				out = append(out, it)
				break
			}
		}
	}
	return out
}

// uniq [-c] [-d] [-u] [-i] [INPUT]
func uniq(ctx context.Context, inv *command.Invocation) int {
	o, err := parseOpts(inv.Args[1:], "", nil)
	if err != nil {
		return usage(inv, err)
	}
	return eachInput(inv, o.args[:min(len(o.args), 1)], func(_ string, r io.Reader) error {
		lines, err := readLines(ctx, r, newBudget(ctx))
		if err != nil {
			return err
		}
		same := func(a, b string) bool {
			if o.has('i') {
				return strings.EqualFold(a, b)
			}
			return a == b
		}
		for i := 0; i < len(lines); {
			j := i + 1
			for j < len(lines) && same(lines[i], lines[j]) {
				j++
			}
			n := j - i
			if (o.has('d') && n == 1) || (o.has('u') && n > 1) {
				i = j
				continue
			}
			if o.has('c') {
				fmt.Fprintf(inv.Stdout, "%7d %s\n", n, lines[i])
			} else {
				fmt.Fprintln(inv.Stdout, lines[i])
			}
			i = j
		}
		return nil
	})
}
