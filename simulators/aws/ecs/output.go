package ecs

import (
	"bytes"
	"io"
	"sync"
)

// outputs are a container's stdout and stderr: with awslogs, each line
// becomes an event in stream <prefix>/<container>/<task id> as the
// awslogs driver names it; without, output is discarded as on Fargate.
func (s *Service) outputs(t *task, d *containerDef) (io.WriteCloser, io.WriteCloser) {
	lc := d.LogConfiguration
	if lc == nil || s.logs == nil {
		return nopCloser{io.Discard}, nopCloser{io.Discard}
	}
	region, group := logRegion(t, lc), lc.Options["awslogs-group"]
	stream := d.Name + "/" + t.id
	if p := lc.Options["awslogs-stream-prefix"]; p != "" {
		stream = p + "/" + stream
	}
	emit := func(line string) {
		// Best effort, as the awslogs driver: a container does not fail
		// because a log line could not be stored.
		s.logs.Append(region, group, stream, []LogLine{{Time: s.Now(), Message: line}})
	}
	return &lineWriter{emit: emit}, &lineWriter{emit: emit}
}

type nopCloser struct{ io.Writer }

func (nopCloser) Close() error { return nil }

// maxLine is where the awslogs driver splits a line without a newline,
// CloudWatch's 256 KiB event limit.
const maxLine = 256 << 10

// lineWriter turns a byte stream into lines, flushing a partial last
// line on Close.
type lineWriter struct {
	mu   sync.Mutex
	buf  []byte
	emit func(string)
}

func (w *lineWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf = append(w.buf, p...)
	for {
		i := bytes.IndexByte(w.buf, '\n')
		if i < 0 {
			if len(w.buf) >= maxLine {
				w.emit(string(w.buf[:maxLine]))
				w.buf = w.buf[maxLine:]
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
