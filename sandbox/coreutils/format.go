package coreutils

import (
	"fmt"
	"strconv"
	"strings"
)

// The printf(1) format language, implemented here rather than with the
// interpreter's expand.Format because that one rejects precisions on %s
// and the %X, %u, %e, %g conversions scripts use.

// printfState carries what one printf run has seen: the arguments left
// and whether any number failed to parse (the status is then 1, but the
// output goes on, as in busybox).
type printfState struct {
	args    []string
	used    int
	badNums []string
	stop    bool // \c was met: no more output at all
}

func (st *printfState) next() (string, bool) {
	if st.used >= len(st.args) {
		return "", false
	}
	st.used++
	return st.args[st.used-1], true
}

// format renders one pass of format over the arguments left.
func (st *printfState) format(format string) (string, error) {
	var b strings.Builder
	for i := 0; i < len(format) && !st.stop; {
		c := format[i]
		switch {
		case c == '\\':
			s, n, stop := unescape(format[i:], false)
			b.WriteString(s)
			i += n
			st.stop = stop
		case c == '%' && i+1 < len(format) && format[i+1] == '%':
			b.WriteByte('%')
			i += 2
		case c == '%':
			n, err := st.conversion(&b, format[i:])
			if err != nil {
				return b.String(), err
			}
			i += n
		default:
			b.WriteByte(c)
			i++
		}
	}
	return b.String(), nil
}

// conversion formats one %... directive at the start of f into b and
// returns its length.
func (st *printfState) conversion(b *strings.Builder, f string) (int, error) {
	i := 1
	for i < len(f) && strings.IndexByte("-+ #0", f[i]) >= 0 {
		i++
	}
	spec := f[:i]
	// Width and precision may come from arguments with '*'.
	for _, part := range []string{"width", "precision"} {
		if part == "precision" {
			if i >= len(f) || f[i] != '.' {
				break
			}
			spec += "."
			i++
		}
		if i < len(f) && f[i] == '*' {
			a, _ := st.next()
			spec += strconv.FormatInt(st.integer(a), 10)
			i++
			continue
		}
		j := i
		for i < len(f) && f[i] >= '0' && f[i] <= '9' {
			i++
		}
		spec += f[j:i]
	}
	if i >= len(f) {
		return i, fmt.Errorf("%s: invalid format", f)
	}
	verb := f[i]
	i++
	arg, _ := st.next()
	switch verb {
	case 's':
		fmt.Fprintf(b, spec+"s", arg)
	case 'b':
		s, _, stop := unescape(arg, true)
		fmt.Fprintf(b, spec+"s", s)
		st.stop = st.stop || stop
	case 'c':
		if arg != "" {
			fmt.Fprintf(b, spec+"c", rune(arg[0]))
		} else if strings.Trim(spec, "%-+ #0.") != "" {
			fmt.Fprintf(b, spec+"s", "")
		}
	case 'd', 'i':
		fmt.Fprintf(b, spec+"d", st.integer(arg))
	case 'u':
		fmt.Fprintf(b, spec+"d", uint64(st.integer(arg)))
	case 'o', 'x', 'X':
		fmt.Fprintf(b, spec+string(verb), uint64(st.integer(arg)))
	case 'f', 'F', 'e', 'E', 'g', 'G':
		if (verb == 'g' || verb == 'G') && !strings.Contains(spec, ".") {
			spec += ".6" // C's default; Go's %g prints the shortest form
		}
		fmt.Fprintf(b, spec+string(verb), st.float(arg))
	default:
		return i, fmt.Errorf("%s: invalid format", f[:i])
	}
	return i, nil
}

// integer parses a numeric argument the way printf(1) does: decimal,
// 0x hex, 0 octal, or 'c for a character's code.
func (st *printfState) integer(a string) int64 {
	s := strings.TrimSpace(a)
	if s == "" {
		return 0
	}
	if s[0] == '\'' || s[0] == '"' {
		if len(s) > 1 {
			return int64(s[1])
		}
		return 0
	}
	n, err := strconv.ParseInt(s, 0, 64)
	if err != nil {
		if u, uerr := strconv.ParseUint(s, 0, 64); uerr == nil {
			return int64(u)
		}
		st.badNums = append(st.badNums, a)
		return n
	}
	return n
}

func (st *printfState) float(a string) float64 {
	s := strings.TrimSpace(a)
	if s == "" {
		return 0
	}
	if s[0] == '\'' || s[0] == '"' {
		return float64(st.integer(s))
	}
	x, err := strconv.ParseFloat(s, 64)
	if err != nil {
		st.badNums = append(st.badNums, a)
	}
	return x
}

// unescape decodes the backslash escape at the start of s and returns
// the text, how many bytes it took and whether it was \c. Everything
// escapes decode when all is set (for %b), which also takes \0NNN octal.
func unescape(s string, all bool) (string, int, bool) {
	if !all {
		return escapeAt(s, false)
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		if s[i] != '\\' {
			b.WriteByte(s[i])
			i++
			continue
		}
		t, n, stop := escapeAt(s[i:], true)
		b.WriteString(t)
		if stop {
			return b.String(), len(s), true
		}
		i += n
	}
	return b.String(), len(s), false
}

// escapeAt decodes the one escape s starts with.
func escapeAt(s string, inArg bool) (string, int, bool) {
	if len(s) < 2 {
		return s, len(s), false
	}
	if r, ok := map[byte]string{'n': "\n", 't': "\t", '\\': "\\", 'a': "\a", 'b': "\b",
		'f': "\f", 'r': "\r", 'v': "\v", '"': "\"", '\'': "'"}[s[1]]; ok {
		return r, 2, false
	}
	switch c := s[1]; {
	case c == 'c':
		return "", 2, true
	case c >= '0' && c <= '7':
		start, limit := 1, 4
		if inArg && c == '0' {
			start, limit = 2, 5 // %b reads \0NNN
		}
		j := start
		v := 0
		for j < len(s) && j < limit && s[j] >= '0' && s[j] <= '7' {
			v = v*8 + int(s[j]-'0')
			j++
		}
		return string([]byte{byte(v)}), j, false
	case c == 'x':
		j, v := 2, 0
		for ; j < len(s) && j < 4; j++ {
			d, err := strconv.ParseUint(s[j:j+1], 16, 8)
			if err != nil {
				break
			}
			v = v*16 + int(d)
		}
		if j == 2 {
			return s[:2], 2, false
		}
		return string([]byte{byte(v)}), j, false
	}
	return s[:2], 2, false
}
