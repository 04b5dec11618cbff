package coreutils

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/sockerless/sockerless/sandbox/command"
)

// sort [-rnuf] [-t SEP] [-k N[,M]] [FILE]...
func sortCmd(ctx context.Context, inv *command.Invocation) int {
	o, err := parseOpts(inv.Args[1:], "tko", map[string]byte{"reverse": 'r', "numeric-sort": 'n', "unique": 'u'})
	if err != nil {
		return usage(inv, err)
	}
	var lines []string
	mem := newBudget(ctx)
	status := eachInput(inv, o.args, func(_ string, r io.Reader) error {
		// Appended in place: a copy of the lines would be uncharged.
		var err error
		lines, err = appendLines(ctx, r, mem, lines)
		return err
	})
	if mem.exhausted() || ctx.Err() != nil {
		// Reported, or killed: sorting what was read would be wrong
		// output, and slow to stop after docker kill.
		return max(status, 1)
	}
	from, to := 0, 0
	if k, ok := o.val['k']; ok {
		a, b, _ := strings.Cut(k, ",")
		from, _ = strconv.Atoi(strings.TrimRight(a, "bdfginrMV"))
		to, _ = strconv.Atoi(strings.Split(strings.TrimRight(b, "bdfgnirMV"), ".")[0])
		if from < 1 {
			return inv.Errorf("invalid -k '%s'", k)
		}
	}
	key := func(s string) string {
		if from == 0 {
			return s
		}
		return sortKey(s, o.val['t'], from, to)
	}
	compare := func(a, b string) int {
		ka, kb := key(a), key(b)
		if o.has('f') {
			ka, kb = strings.ToUpper(ka), strings.ToUpper(kb)
		}
		var c int
		if o.has('n') {
			c = cmp.Compare(leadingNumber(ka), leadingNumber(kb))
		} else {
			c = strings.Compare(ka, kb)
		}
		return c
	}
	full := func(a, b string) int {
		c := compare(a, b)
		if c == 0 && !o.has('u') && !o.has('s') {
			c = strings.Compare(a, b) // last-resort comparison, as sort(1)
		}
		if o.has('r') {
			c = -c
		}
		return c
	}
	slices.SortStableFunc(lines, full)
	if o.has('u') {
		lines = slices.CompactFunc(lines, func(a, b string) bool { return compare(a, b) == 0 })
	}
	for _, l := range lines {
		fmt.Fprintln(inv.Stdout, l)
	}
	return status
}

// sortKey extracts fields from..to (1-based, to 0 = end of line). Without
// a separator, fields are runs of non-blanks with their leading blanks.
func sortKey(s, sep string, from, to int) string {
	var fields []string
	if sep != "" {
		fields = strings.Split(s, sep)
	} else {
		start := 0
		for i := 0; i <= len(s); i++ {
			if i == len(s) || (i > start && (s[i] == ' ' || s[i] == '\t') && s[i-1] != ' ' && s[i-1] != '\t') {
				fields = append(fields, s[start:i])
				start = i
			}
		}
	}
	if from > len(fields) {
		return ""
	}
	end := len(fields)
	if to > 0 && to < end {
		end = to
	}
	if sep == "" {
		return strings.TrimLeft(strings.Join(fields[from-1:end], ""), " \t")
	}
	return strings.Join(fields[from-1:end], sep)
}

// leadingNumber parses the number a line starts with; no number sorts as 0.
func leadingNumber(s string) float64 {
	s = strings.TrimLeft(s, " \t")
	end := 0
	for end < len(s) && (s[end] >= '0' && s[end] <= '9' || s[end] == '.' || (end == 0 && s[end] == '-')) {
		end++
	}
	f, _ := strconv.ParseFloat(s[:end], 64)
	return f
}
