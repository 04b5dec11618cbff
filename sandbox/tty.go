package sandbox

import (
	"bytes"
	"io"
	"sync"
)

// ttyWriter does what a pty's output processing (ONLCR) does: "\n"
// becomes "\r\n". A terminal has one output stream, so stdout and stderr
// share it and writes are serialised.
type ttyWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (t *ttyWriter) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if bytes.IndexByte(p, '\n') < 0 {
		return t.w.Write(p)
	}
	out := make([]byte, 0, len(p)+8)
	for _, c := range p {
		if c == '\n' {
			out = append(out, '\r')
		}
		out = append(out, c)
	}
	if _, err := t.w.Write(out); err != nil {
		return 0, err
	}
	return len(p), nil
}

// lockedWriter serialises writes from concurrent commands (pipelines,
// background jobs) to a writer that may not be safe for them.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
