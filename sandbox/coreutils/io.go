package coreutils

import (
	"bufio"
	"context"
	"io"
	"strings"

	"github.com/sockerless/sockerless/sandbox/command"
)

// ctxReader stops a copy between reads once the command is cancelled, so
// that `cat` on a long file ends promptly on docker stop.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// eachLine calls fn with every line of r, newline included (the last line
// may lack one). A line longer than the memory limit fails with
// command.ErrNoMemory rather than growing without bound.
func eachLine(ctx context.Context, r io.Reader, fn func(line string) error) error {
	br := bufio.NewReader(ctxReader{ctx, r})
	limit := command.MemoryLimit(ctx)
	for {
		s, err := readLine(br, limit)
		if s != "" {
			if ferr := fn(s); ferr != nil {
				return ferr
			}
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// readLine reads up to and including the next newline, failing once the
// line reaches limit bytes.
func readLine(br *bufio.Reader, limit int64) (string, error) {
	chunk, err := br.ReadSlice('\n')
	if err != bufio.ErrBufferFull {
		// The common case, a line within bufio's buffer: one copy.
		if int64(len(chunk)) > limit {
			return "", command.ErrNoMemory
		}
		return string(chunk), err
	}
	buf, gerr := appendLimited(nil, chunk, limit)
	for gerr == nil && err == bufio.ErrBufferFull {
		chunk, err = br.ReadSlice('\n')
		buf, gerr = appendLimited(buf, chunk, limit)
	}
	// The string is a second copy, live with buf until it returns.
	if gerr == nil && int64(cap(buf)+len(buf)) > limit {
		gerr = command.ErrNoMemory
	}
	if gerr != nil {
		return "", gerr
	}
	return string(buf), err
}

// appendLimited appends p to buf, failing with command.ErrNoMemory where
// that would take more than limit bytes. What counts is the old array and
// the new one together, both live while the one is copied to the other:
// a growing buffer costs up to twice its length, not its length.
func appendLimited(buf, p []byte, limit int64) ([]byte, error) {
	n := len(buf) + len(p)
	if n <= cap(buf) {
		return append(buf, p...), nil
	}
	grown := max(n, cap(buf)+cap(buf)/4+4096)
	if int64(cap(buf)+grown) > limit {
		grown = n
	}
	if int64(cap(buf)+grown) > limit {
		return buf, command.ErrNoMemory
	}
	return append(append(make([]byte, 0, grown), buf...), p...), nil
}

// stringHeader is what a []string spends on each string it holds.
const stringHeader = 16

// readLines collects the lines of r without their newlines.
func readLines(ctx context.Context, r io.Reader, mem *budget) ([]string, error) {
	return appendLines(ctx, r, mem, nil)
}

// appendLines appends the lines of r, without their newlines, to out,
// which holds only what earlier appendLines calls with mem added. Charged
// to mem, shared by every operand of one command, is what that really
// costs: each line's bytes, and the slice's arrays, grown here rather than
// by append so that the new one is charged before it is made, while the
// old one it is copied from is still live. Counting only the lines and
// their headers left the runtime to die of the growth first (the new
// array alone is 1.25 times the old, plus the old until collected).
func appendLines(ctx context.Context, r io.Reader, mem *budget, out []string) ([]string, error) {
	err := eachLine(ctx, r, func(s string) error {
		if err := mem.take(int64(len(s))); err != nil {
			return err
		}
		if len(out) == cap(out) {
			grown := cap(out) + cap(out)/4 + 256
			if err := mem.take(int64(grown) * stringHeader); err != nil {
				return err
			}
			// The old array is garbage once copied.
			mem.give(int64(cap(out)) * stringHeader)
			out = append(make([]string, 0, grown), out...)
		}
		out = append(out, strings.TrimSuffix(s, "\n"))
		return nil
	})
	return out, err
}

// budget is what one command may still buffer of its input.
type budget struct{ left int64 }

func newBudget(ctx context.Context) *budget { return &budget{left: command.MemoryLimit(ctx)} }

func (b *budget) exhausted() bool { return b.left < 0 }

func (b *budget) take(n int64) error {
	if b.left -= n; b.left < 0 {
		return command.ErrNoMemory
	}
	return nil
}

// give returns n bytes that the command no longer holds.
func (b *budget) give(n int64) { b.left += n }

func baseName(p string) string {
	p = strings.TrimRight(p, "/")
	if p == "" {
		return "/"
	}
	if i := strings.LastIndexByte(p, '/'); i >= 0 {
		return p[i+1:]
	}
	return p
}

// unbuffered writes through to w at once when w buffers (the WASI
// module's stdout does): for output that arrives from elsewhere as it
// comes, such as nc's, and must not wait for the command to end.
func unbuffered(w io.Writer) io.Writer {
	if f, ok := w.(interface{ Flush() error }); ok {
		return flushWriter{w: w, f: f}
	}
	return w
}

type flushWriter struct {
	w io.Writer
	f interface{ Flush() error }
}

func (fw flushWriter) Write(p []byte) (int, error) {
	n, err := fw.w.Write(p)
	if err == nil {
		err = fw.f.Flush()
	}
	return n, err
}
