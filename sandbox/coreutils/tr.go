package coreutils

import (
	"bufio"
	"context"
	"io"
	"strings"

	"github.com/sockerless/sockerless/sandbox/command"
)

// tr [-d] [-s] [-c] SET1 [SET2] — byte-oriented, like busybox.
func tr(ctx context.Context, inv *command.Invocation) int {
	o, err := parseLeadingOpts(inv.Args[1:], "", nil)
	if err != nil {
		return usage(inv, err)
	}
	if len(o.args) == 0 || (len(o.args) < 2 && !o.has('d') && !o.has('s')) {
		return inv.Errorf("missing operand")
	}
	set1 := expandSet(o.args[0])
	if o.has('c') || o.has('C') {
		set1 = complement(set1)
	}
	var set2 []byte
	if len(o.args) > 1 {
		set2 = expandSet(o.args[1])
	}
	var mapping [256]int
	var del, squeeze [256]bool
	for i := range mapping {
		mapping[i] = i
	}
	for i, c := range set1 {
		switch {
		case o.has('d'):
			del[c] = true
		case len(set2) > 0:
			mapping[c] = int(set2[min(i, len(set2)-1)])
		}
	}
	squeezeSet := set1
	if len(set2) > 0 {
		squeezeSet = set2
	}
	if o.has('s') {
		for _, c := range squeezeSet {
			squeeze[c] = true
		}
	}
	in := bufio.NewReader(ctxReader{ctx, inv.Stdin})
	out := bufio.NewWriter(inv.Stdout)
	defer out.Flush()
	last := -1
	for {
		b, err := in.ReadByte()
		if err == io.EOF {
			return 0
		}
		if err != nil {
			if ctx.Err() != nil {
				return 1
			}
			return inv.Errorf("%s", errText(err))
		}
		if del[b] {
			continue
		}
		c := mapping[b]
		if squeeze[c] && c == last {
			continue
		}
		last = c
		// A reader gone (the next command of a pipeline ended) ends tr,
		// as SIGPIPE would; endless input would otherwise spin forever.
		if err := out.WriteByte(byte(c)); err != nil {
			return 1
		}
		if c == '\n' {
			if err := out.Flush(); err != nil {
				return 1
			}
		}
	}
}

var trClasses = map[string]string{
	"[:lower:]": "abcdefghijklmnopqrstuvwxyz",
	"[:upper:]": "ABCDEFGHIJKLMNOPQRSTUVWXYZ",
	"[:digit:]": "0123456789",
	"[:space:]": " \t\n\r\v\f",
	"[:blank:]": " \t",
	"[:punct:]": "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~",
}

func init() {
	trClasses["[:alpha:]"] = trClasses["[:lower:]"] + trClasses["[:upper:]"]
	trClasses["[:alnum:]"] = trClasses["[:alpha:]"] + trClasses["[:digit:]"]
}

// expandSet expands ranges, classes and backslash escapes.
func expandSet(s string) []byte {
	var raw []byte
	for i := 0; i < len(s); i++ {
		if s[i] == '[' {
			if end := strings.Index(s[i:], ":]"); end > 0 {
				if cls, ok := trClasses[s[i:i+end+2]]; ok {
					raw = append(raw, cls...)
					i += end + 1
					continue
				}
			}
		}
		c := s[i]
		if c == '\\' && i+1 < len(s) {
			i++
			c = map[byte]byte{'n': '\n', 't': '\t', 'r': '\r', '\\': '\\', '0': 0}[s[i]]
			if c == 0 && s[i] != '0' {
				c = s[i]
			}
		}
		if i+2 < len(s) && s[i+1] == '-' {
			for x := int(c); x <= int(s[i+2]); x++ {
				raw = append(raw, byte(x))
			}
			i += 2
			continue
		}
		raw = append(raw, c)
	}
	return raw
}

func complement(set []byte) []byte {
	var in [256]bool
	for _, c := range set {
		in[c] = true
	}
	var out []byte
	for c := 0; c < 256; c++ {
		if !in[c] {
			out = append(out, byte(c))
		}
	}
	return out
}
