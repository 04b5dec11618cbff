package coreutils

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"strings"

	"github.com/sockerless/sockerless/sandbox/command"
)

// odFormat is one output type of od: bytes per item and how an item
// prints (with its leading space), as GNU and busybox od print it.
type odFormat struct {
	size int
	item func(b []byte) string
}

var odChars = map[byte]string{0: `\0`, '\a': `\a`, '\b': `\b`, '\f': `\f`, '\n': `\n`, '\r': `\r`, '\t': `\t`, '\v': `\v`}

// odType parses a -t type such as x1, o2, d4, u8, c.
func odType(t string) (odFormat, error) {
	if t == "c" {
		return odFormat{1, func(b []byte) string {
			if s, ok := odChars[b[0]]; ok {
				return fmt.Sprintf(" %3s", s)
			}
			if b[0] < 0x20 || b[0] >= 0x7f {
				return fmt.Sprintf(" %03o", b[0])
			}
			return fmt.Sprintf(" %3c", b[0])
		}}, nil
	}
	if t == "" || strings.IndexByte("doux", t[0]) < 0 {
		return odFormat{}, fmt.Errorf("invalid type string '%s'", t)
	}
	size := map[string]int{"": 4, "1": 1, "2": 2, "4": 4, "8": 8, "C": 1, "S": 2, "I": 4, "L": 8}[t[1:]]
	if size == 0 {
		return odFormat{}, fmt.Errorf("invalid type string '%s'", t)
	}
	// Field widths are those that fit the largest value of the size.
	widths := map[byte][4]int{'o': {3, 6, 11, 22}, 'x': {2, 4, 8, 16}, 'u': {3, 5, 10, 20}, 'd': {4, 6, 11, 20}}
	w := widths[t[0]][map[int]int{1: 0, 2: 1, 4: 2, 8: 3}[size]]
	verb := t[0]
	return odFormat{size, func(b []byte) string {
		var u uint64
		switch size {
		case 1:
			u = uint64(b[0])
		case 2:
			u = uint64(binary.LittleEndian.Uint16(b))
		case 4:
			u = uint64(binary.LittleEndian.Uint32(b))
		default:
			u = binary.LittleEndian.Uint64(b)
		}
		switch verb {
		case 'o':
			return fmt.Sprintf(" %0*o", w, u)
		case 'x':
			return fmt.Sprintf(" %0*x", w, u)
		case 'u':
			return fmt.Sprintf(" %*d", w, u)
		}
		// Sign-extend from the item's size.
		shift := 64 - 8*size
		return fmt.Sprintf(" %*d", w, int64(u<<shift)>>shift)
	}}, nil
}

// od [-bcdoxv] [-A d|o|x|n] [-t TYPE]... [FILE]... dumps bytes, 16 a
// line, with repeated lines shown as one "*" unless -v.
func od(ctx context.Context, inv *command.Invocation) int {
	var formats []odFormat
	radix := byte('o')
	all := false
	var files []string
	args := inv.Args[1:]
	for i := 0; i < len(args); i++ {
		// Flags are read in order (each adds a format) and, as
		// busybox's getopt reads them, after operands too.
		a := args[i]
		if a == "--" {
			files = append(files, args[i+1:]...)
			break
		}
		if len(a) < 2 || a[0] != '-' {
			files = append(files, a)
			continue
		}
		for j := 1; j < len(a); j++ {
			c := a[j]
			if c == 'A' || c == 't' {
				v := a[j+1:]
				if v == "" && i+1 < len(args) {
					i++
					v = args[i]
				}
				if c == 'A' {
					if len(v) != 1 || strings.IndexByte("doxn", v[0]) < 0 {
						return inv.Errorf("bad radix '%s'", v)
					}
					radix = v[0]
				} else {
					f, err := odType(v)
					if err != nil {
						return inv.Errorf("%v", err)
					}
					formats = append(formats, f)
				}
				break
			}
			short := map[byte]string{'b': "o1", 'c': "c", 'd': "u2", 'o': "o2", 'x': "x2", 's': "d2", 'i': "d4", 'l': "d8"}
			switch t, ok := short[c]; {
			case c == 'v':
				all = true
			case ok:
				f, _ := odType(t)
				formats = append(formats, f)
			default:
				return inv.Errorf("invalid option -- '%c'", c)
			}
		}
	}
	if len(formats) == 0 {
		f, _ := odType("o2")
		formats = append(formats, f)
	}
	// od holds its input and output; each input byte makes about five of
	// output per format, all charged to the memory limit.
	limit := command.MemoryLimit(ctx) / int64(1+5*len(formats))
	var data bytes.Buffer
	status := eachInput(inv, files, func(_ string, r io.Reader) error {
		_, err := io.Copy(&data, io.LimitReader(ctxReader{ctx, r}, limit-int64(data.Len())+1))
		if err == nil && int64(data.Len()) > limit {
			return command.ErrNoMemory
		}
		return err
	})
	if int64(data.Len()) > limit || ctx.Err() != nil {
		return max(status, 1)
	}
	offset := func(n int) string {
		switch radix {
		case 'd':
			return fmt.Sprintf("%07d", n)
		case 'x':
			return fmt.Sprintf("%06x", n)
		case 'n':
			return ""
		}
		return fmt.Sprintf("%07o", n)
	}
	var b strings.Builder
	buf := data.Bytes()
	var prev []byte
	starred := false
	for off := 0; off < len(buf); off += 16 {
		line := buf[off:min(off+16, len(buf))]
		if !all && prev != nil && len(line) == 16 && bytes.Equal(line, prev) {
			if !starred {
				b.WriteString("*\n")
				starred = true
			}
			continue
		}
		prev, starred = line, false
		for i, f := range formats {
			if i == 0 {
				b.WriteString(offset(off))
			} else {
				b.WriteString(strings.Repeat(" ", len(offset(off))))
			}
			for k := 0; k < len(line); k += f.size {
				item := make([]byte, f.size) // zero-padded at the end
				copy(item, line[k:])
				b.WriteString(f.item(item))
			}
			b.WriteString("\n")
		}
	}
	if radix != 'n' {
		b.WriteString(offset(len(buf)) + "\n")
	}
	io.WriteString(inv.Stdout, b.String())
	return status
}
