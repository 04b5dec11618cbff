package coreutils

import (
	"bufio"
	"context"
	"io"
	"strings"
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
// may lack one).
func eachLine(ctx context.Context, r io.Reader, fn func(line string) error) error {
	br := bufio.NewReader(ctxReader{ctx, r})
	for {
		s, err := br.ReadString('\n')
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

// readLines collects the lines of every operand without their newlines.
func readLines(ctx context.Context, r io.Reader) ([]string, error) {
	var out []string
	err := eachLine(ctx, r, func(s string) error {
		out = append(out, strings.TrimSuffix(s, "\n"))
		return nil
	})
	return out, err
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
