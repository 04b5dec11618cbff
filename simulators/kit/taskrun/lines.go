package taskrun

import (
	"bytes"
	"io"
	"sync"
)

// Lines is a container's stdout or stderr turned into lines: each
// complete line goes to emit without its newline, max bytes waiting
// without one go as a line of their own (log services' event limit), and
// Close emits a partial last line.
func Lines(max int, emit func(line string)) io.WriteCloser {
	return &lineWriter{max: max, emit: emit}
}

type lineWriter struct {
	mu   sync.Mutex
	buf  []byte
	max  int
	emit func(string)
}

func (w *lineWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf = append(w.buf, p...)
	for {
		i := bytes.IndexByte(w.buf, '\n')
		if i < 0 {
			if len(w.buf) >= w.max {
				w.emit(string(w.buf[:w.max]))
				w.buf = w.buf[w.max:]
				continue
			}
			return len(p), nil
		}
		w.emit(string(w.buf[:i]))
		w.buf = w.buf[i+1:]
	}
}

func (w *lineWriter) Close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.buf) > 0 {
		w.emit(string(w.buf))
		w.buf = nil
	}
	return nil
}

// Discard is output nobody reads (a container with no log driver).
func Discard() io.WriteCloser { return nopCloser{io.Discard} }

type nopCloser struct{ io.Writer }

func (nopCloser) Close() error { return nil }
