package coreutils

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/sockerless/sockerless/sandbox/command"
)

// rev [FILE]... reverses the characters of every line.
func rev(ctx context.Context, inv *command.Invocation) int {
	return eachInput(inv, inv.Args[1:], func(_ string, r io.Reader) error {
		return eachLine(ctx, r, func(s string) error {
			text, nl := strings.CutSuffix(s, "\n")
			rs := []rune(text)
			for i, j := 0, len(rs)-1; i < j; i, j = i+1, j-1 {
				rs[i], rs[j] = rs[j], rs[i]
			}
			out := string(rs)
			if nl {
				out += "\n"
			}
			_, err := io.WriteString(inv.Stdout, out)
			return err
		})
	})
}

// nl [-b a|t|n] [-w N] [-s SEP] [-v START] [-i INCR] [FILE]... numbers
// lines: by default the non-empty ones, as "%6d\t".
func nl(ctx context.Context, inv *command.Invocation) int {
	o, err := parseOpts(inv.Args[1:], "bwsvi", nil)
	if err != nil {
		return usage(inv, err)
	}
	style, sep := "t", "\t"
	if v, ok := o.val['b']; ok {
		style = v
	}
	if v, ok := o.val['s']; ok {
		sep = v
	}
	nums := map[byte]int{'w': 6, 'v': 1, 'i': 1}
	for c := range nums {
		if v, ok := o.val[c]; ok {
			if nums[c], err = strconv.Atoi(v); err != nil {
				return inv.Errorf("invalid number '%s'", v)
			}
		}
	}
	if style != "a" && style != "t" && style != "n" {
		return inv.Errorf("invalid body numbering style '%s'", style)
	}
	n, width := nums['v'], nums['w']
	blank := strings.Repeat(" ", width+len(sep))
	return eachInput(inv, o.args, func(_ string, r io.Reader) error {
		return eachLine(ctx, r, func(s string) error {
			numbered := style == "a" || (style == "t" && strings.TrimSuffix(s, "\n") != "")
			var err error
			if numbered {
				_, err = fmt.Fprintf(inv.Stdout, "%*d%s%s", width, n, sep, s)
				n += nums['i']
			} else {
				_, err = io.WriteString(inv.Stdout, blank+s)
			}
			return err
		})
	})
}

// fold [-bs] [-w WIDTH] [FILE]... wraps lines at WIDTH columns (80);
// -s breaks after the last blank that fits, -b counts bytes.
func fold(ctx context.Context, inv *command.Invocation) int {
	o, err := parseOpts(inv.Args[1:], "w", nil)
	if err != nil {
		return usage(inv, err)
	}
	width := 80
	if v, ok := o.val['w']; ok {
		if width, err = strconv.Atoi(v); err != nil || width < 1 {
			return inv.Errorf("invalid number '%s'", v)
		}
	}
	return eachInput(inv, o.args, func(_ string, r io.Reader) error {
		return eachLine(ctx, r, func(s string) error {
			text, nl := strings.CutSuffix(s, "\n")
			out := foldLine(text, width, o.has('s'), o.has('b'))
			if nl {
				out += "\n"
			}
			_, err := io.WriteString(inv.Stdout, out)
			return err
		})
	})
}

// foldLine breaks one line (no newline) into pieces of at most width
// columns, joined by newlines.
func foldLine(text string, width int, spaces, bytes bool) string {
	var b strings.Builder
	var cur []rune
	col := 0
	advance := func(c rune, col int) int {
		switch {
		case bytes:
			return col + len(string(c))
		case c == '\t':
			return col + 8 - col%8
		case c == '\b':
			return max(col-1, 0)
		case c == '\r':
			return 0
		}
		return col + 1
	}
	for _, c := range text {
		next := advance(c, col)
		if next > width && len(cur) > 0 {
			rest := []rune(nil)
			if spaces {
				if i := lastBlank(cur); i >= 0 {
					rest = append(rest, cur[i+1:]...)
					cur = cur[:i+1]
				}
			}
			b.WriteString(string(cur) + "\n")
			cur, col = rest, 0
			for _, r := range cur {
				col = advance(r, col)
			}
			next = advance(c, col)
		}
		cur = append(cur, c)
		col = next
	}
	b.WriteString(string(cur))
	return b.String()
}

func lastBlank(rs []rune) int {
	for i := len(rs) - 1; i >= 0; i-- {
		if rs[i] == ' ' || rs[i] == '\t' {
			return i
		}
	}
	return -1
}

// paste [-s] [-d LIST] [FILE]... joins corresponding lines of the files
// with tabs (or the delimiters of LIST in turn); -s joins each file's
// lines into one line instead.
func paste(ctx context.Context, inv *command.Invocation) int {
	o, err := parseOpts(inv.Args[1:], "d", nil)
	if err != nil {
		return usage(inv, err)
	}
	delims := []string{"\t"}
	if v, ok := o.val['d']; ok {
		delims = nil
		for i := 0; i < len(v); i++ {
			d := v[i : i+1]
			if v[i] == '\\' && i+1 < len(v) {
				i++
				d = map[byte]string{'n': "\n", 't': "\t", '\\': "\\", '0': ""}[v[i]]
			}
			delims = append(delims, d)
		}
		if len(delims) == 0 {
			delims = []string{""}
		}
	}
	files := o.args
	if len(files) == 0 {
		files = []string{"-"}
	}
	var cols [][]string
	mem := newBudget(ctx)
	status := eachInput(inv, files, func(_ string, r io.Reader) error {
		lines, err := readLines(ctx, r, mem)
		cols = append(cols, lines)
		return err
	})
	if mem.exhausted() || ctx.Err() != nil {
		return max(status, 1)
	}
	join := func(parts []string) string {
		var b strings.Builder
		for i, p := range parts {
			if i > 0 {
				b.WriteString(delims[(i-1)%len(delims)])
			}
			b.WriteString(p)
		}
		return b.String() + "\n"
	}
	if o.has('s') {
		for _, lines := range cols {
			io.WriteString(inv.Stdout, join(lines))
		}
		return status
	}
	rows := 0
	for _, c := range cols {
		rows = max(rows, len(c))
	}
	for i := range rows {
		parts := make([]string, len(cols))
		for j, c := range cols {
			if i < len(c) {
				parts[j] = c[i]
			}
		}
		io.WriteString(inv.Stdout, join(parts))
	}
	return status
}
