package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"
)

func init() {
	register("diff", diff)
	register("cmp", cmp)
}

// cmp compares two files byte by byte: "a b differ: char N, line M"; -s
// prints nothing, only the status.
func cmp(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	flags, files, _ := flagSet(args[1:], "")
	if len(files) == 1 {
		files = append(files, "-")
	}
	if len(files) != 2 {
		fmt.Fprintln(stderr, "Usage: cmp [-s] FILE1 [FILE2]")
		return 2
	}
	var rs [2]*bufio.Reader
	for i, f := range files {
		r, err := openArg(f, stdin)
		if err != nil {
			fmt.Fprintf(stderr, "cmp: %s: %s\n", f, errText(err))
			return 2
		}
		defer r.Close()
		rs[i] = bufio.NewReader(r)
	}
	silent := flags['s'] != nil
	for pos, line := int64(1), 1; ; pos++ {
		a, aerr := rs[0].ReadByte()
		b, berr := rs[1].ReadByte()
		switch {
		case aerr != nil && berr != nil:
			return 0
		case aerr != nil || berr != nil:
			if !silent {
				short := files[0]
				if berr != nil {
					short = files[1]
				}
				fmt.Fprintf(stderr, "cmp: EOF on %s\n", short)
			}
			return 1
		case a != b:
			if !silent {
				fmt.Fprintf(stdout, "%s %s differ: char %d, line %d\n", files[0], files[1], pos, line)
			}
			return 1
		}
		if a == '\n' {
			line++
		}
	}
}

// diff compares two files line by line and prints the difference in the
// normal format, or unified with -u / -U N; -q only says whether they
// differ. Exit status: 0 same, 1 different, 2 trouble.
func diff(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	flags, files, bad := flagSet(args[1:], "U")
	if bad != 0 || len(files) != 2 {
		fmt.Fprintln(stderr, "Usage: diff [-uq] [-U N] FILE1 FILE2")
		return 2
	}
	context := -1
	if flags['u'] != nil {
		context = 3
	}
	if u := flags['U']; u != nil {
		n, err := strconv.Atoi(u[len(u)-1])
		if err != nil || n < 0 {
			return errorf(stderr, "diff", "invalid context length '%s'", u[len(u)-1]) + 1
		}
		context = n
	}
	var text [2][]byte
	var mtime [2]time.Time
	for i, f := range files {
		r, err := openArg(f, stdin)
		if err != nil {
			fmt.Fprintf(stderr, "diff: %s: %s\n", f, errText(err))
			return 2
		}
		if fi, err := os.Stat(f); err == nil && f != "-" {
			if fi.IsDir() {
				r.Close()
				fmt.Fprintf(stderr, "diff: %s: directories are not supported\n", f)
				return 2
			}
			mtime[i] = fi.ModTime()
		} else {
			mtime[i] = time.Now()
		}
		text[i], err = io.ReadAll(r)
		r.Close()
		if err != nil {
			fmt.Fprintf(stderr, "diff: %s: %s\n", f, errText(err))
			return 2
		}
	}
	if bytes.Equal(text[0], text[1]) {
		return 0
	}
	if flags['q'] != nil {
		fmt.Fprintf(stdout, "Files %s and %s differ\n", files[0], files[1])
		return 1
	}
	a, b := splitLines(string(text[0])), splitLines(string(text[1]))
	ops := editScript(a, b)
	if context < 0 {
		normalDiff(stdout, a, b, ops)
	} else {
		for i, f := range files {
			mark := "---"
			if i == 1 {
				mark = "+++"
			}
			fmt.Fprintf(stdout, "%s %s\t%s\n", mark, f, mtime[i].Format("2006-01-02 15:04:05.000000000 -0700"))
		}
		unifiedDiff(stdout, a, b, ops, context)
	}
	return 1
}

// splitLines keeps a missing final newline visible, as diff reports it.
func splitLines(s string) []string {
	if s == "" {
		return nil
	}
	lines := strings.SplitAfter(s, "\n")
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	return lines
}

func writeLine(w io.Writer, prefix, line string) {
	if strings.HasSuffix(line, "\n") {
		fmt.Fprint(w, prefix+line)
		return
	}
	fmt.Fprint(w, prefix+line+"\n\\ No newline at end of file\n")
}

// op is one step of an edit script: keep, delete from a, or insert from b.
type op byte

const (
	keep op = iota
	del
	ins
)

// editScript is a shortest edit script from a to b (Myers' algorithm);
// past maxD differences the rest is one replacement, to bound memory.
func editScript(a, b []string) []op {
	const maxD = 4000
	n, m := len(a), len(b)
	offset := n + m + 1
	v := make([]int, 2*offset+1)
	var trace [][]int
	var endD = -1
	for d := 0; d <= n+m && d <= maxD; d++ {
		trace = append(trace, append([]int(nil), v...))
		for k := -d; k <= d; k += 2 {
			var x int
			if k == -d || (k != d && v[offset+k-1] < v[offset+k+1]) {
				x = v[offset+k+1]
			} else {
				x = v[offset+k-1] + 1
			}
			y := x - k
			for x < n && y < m && a[x] == b[y] {
				x, y = x+1, y+1
			}
			v[offset+k] = x
			if x >= n && y >= m {
				endD = d
				break
			}
		}
		if endD >= 0 {
			break
		}
	}
	if endD < 0 {
		ops := make([]op, 0, n+m)
		for range a {
			ops = append(ops, del)
		}
		for range b {
			ops = append(ops, ins)
		}
		return ops
	}
	// Walk the trace back from (n, m).
	var rev []op
	x, y := n, m
	for d := endD; d > 0; d-- {
		vd := trace[d]
		k := x - y
		var prevK int
		if k == -d || (k != d && vd[offset+k-1] < vd[offset+k+1]) {
			prevK = k + 1
		} else {
			prevK = k - 1
		}
		prevX := vd[offset+prevK]
		prevY := prevX - prevK
		for x > prevX && y > prevY {
			rev = append(rev, keep)
			x, y = x-1, y-1
		}
		if x == prevX {
			rev = append(rev, ins)
		} else {
			rev = append(rev, del)
		}
		x, y = prevX, prevY
	}
	for x > 0 && y > 0 {
		rev = append(rev, keep)
		x, y = x-1, y-1
	}
	for i, j := 0, len(rev)-1; i < j; i, j = i+1, j-1 {
		rev[i], rev[j] = rev[j], rev[i]
	}
	return rev
}

func rangeStr(from, to int) string {
	if to <= from+1 {
		return strconv.Itoa(from + 1)
	}
	return fmt.Sprintf("%d,%d", from+1, to)
}

// normalDiff prints "2c2 / < old / --- / > new" style changes.
func normalDiff(w io.Writer, a, b []string, ops []op) {
	i, j := 0, 0
	for k := 0; k < len(ops); {
		if ops[k] == keep {
			i, j, k = i+1, j+1, k+1
			continue
		}
		i0, j0 := i, j
		for k < len(ops) && ops[k] != keep {
			if ops[k] == del {
				i++
			} else {
				j++
			}
			k++
		}
		switch {
		case j == j0:
			fmt.Fprintf(w, "%sd%d\n", rangeStr(i0, i), j0)
		case i == i0:
			fmt.Fprintf(w, "%da%s\n", i0, rangeStr(j0, j))
		default:
			fmt.Fprintf(w, "%sc%s\n", rangeStr(i0, i), rangeStr(j0, j))
		}
		for _, l := range a[i0:i] {
			writeLine(w, "< ", l)
		}
		if i > i0 && j > j0 {
			fmt.Fprintln(w, "---")
		}
		for _, l := range b[j0:j] {
			writeLine(w, "> ", l)
		}
	}
}

// unifiedDiff prints hunks with ctx lines of context around changes.
func unifiedDiff(w io.Writer, a, b []string, ops []op, ctx int) {
	type pos struct{ i, j int }
	at := make([]pos, len(ops)+1)
	i, j := 0, 0
	for k, o := range ops {
		at[k] = pos{i, j}
		if o != ins {
			i++
		}
		if o != del {
			j++
		}
	}
	at[len(ops)] = pos{i, j}
	for k := 0; k < len(ops); {
		if ops[k] == keep {
			k++
			continue
		}
		start := max(k-ctx, 0)
		end := k
		// Extend the hunk while the next change is within 2*ctx lines.
		for {
			for end < len(ops) && ops[end] != keep {
				end++
			}
			next := end
			for next < len(ops) && ops[next] == keep {
				next++
			}
			if next < len(ops) && next-end <= 2*ctx {
				end = next
				continue
			}
			end = min(end+ctx, len(ops))
			break
		}
		s, e := at[start], at[end]
		fmt.Fprintf(w, "@@ -%s +%s @@\n", hunkRange(s.i, e.i-s.i), hunkRange(s.j, e.j-s.j))
		for x := start; x < end; x++ {
			switch ops[x] {
			case keep:
				writeLine(w, " ", a[at[x].i])
			case del:
				writeLine(w, "-", a[at[x].i])
			case ins:
				writeLine(w, "+", b[at[x].j])
			}
		}
		k = end
	}
}

func hunkRange(start, n int) string {
	switch n {
	case 0:
		return fmt.Sprintf("%d,0", start)
	case 1:
		return strconv.Itoa(start + 1)
	}
	return fmt.Sprintf("%d,%d", start+1, n)
}
