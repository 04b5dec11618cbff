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
	var buf []byte
	for {
		chunk, err := br.ReadSlice('\n')
		if int64(len(buf)+len(chunk)) > limit {
			return "", command.ErrNoMemory
		}
		buf = append(buf, chunk...)
		if err != bufio.ErrBufferFull {
			return string(buf), err
		}
	}
}

// readLines collects the lines of r without their newlines. What it holds
// is charged to mem, shared by every operand of one command.
func readLines(ctx context.Context, r io.Reader, mem *budget) ([]string, error) {
	var out []string
	err := eachLine(ctx, r, func(s string) error {
		// A string header besides the bytes, as the slice holds it.
		if err := mem.take(int64(len(s)) + 16); err != nil {
			return err
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
