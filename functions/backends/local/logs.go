package local

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"strconv"
	"sync"
	"time"

	"github.com/sockerless/sockerless/functions/core"
)

// logLine is one entry of a container's log file (JSON lines, like
// dockerd's json-file driver).
type logLine struct {
	S int       `json:"s"`
	T time.Time `json:"t"`
	D []byte    `json:"d"`
}

// logSink is the local platform's log driver: an append-only file.
type logSink struct {
	mu sync.Mutex
	f  *os.File
}

func openLogSink(path string) (*logSink, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, err
	}
	return &logSink{f: f}, nil
}

// Log appends one entry; the write is one syscall so readers never see
// half a line.
func (s *logSink) Log(stream int, p []byte) {
	b, _ := json.Marshal(logLine{S: stream, T: time.Now().UTC(), D: p})
	s.mu.Lock()
	defer s.mu.Unlock()
	_, _ = s.f.Write(append(b, '\n'))
}

func (s *logSink) Close() error { return s.f.Close() }

// logPage bounds one Logs read; core asks again from the cursor.
const logPage = 1 << 20

// Logs reads entries after the byte offset in cursor, a page at a time.
func (d *Driver) Logs(ctx context.Context, id, cursor string) ([]core.LogEntry, string, error) {
	var off int64
	if cursor != "" {
		var err error
		if off, err = strconv.ParseInt(cursor, 10, 64); err != nil {
			return nil, "", errors.New("invalid log cursor")
		}
	}
	f, err := os.Open(d.logPath(id))
	if errors.Is(err, os.ErrNotExist) {
		return nil, cursor, nil
	}
	if err != nil {
		return nil, "", err
	}
	defer f.Close()
	if _, err := f.Seek(off, io.SeekStart); err != nil {
		return nil, "", err
	}
	var out []core.LogEntry
	r := bufio.NewReader(f)
	for start := off; off-start < logPage; {
		line, err := r.ReadBytes('\n')
		if err != nil {
			break // a partial last line is read next time
		}
		off += int64(len(line))
		var l logLine
		if json.Unmarshal(line, &l) == nil {
			out = append(out, core.LogEntry{Stream: l.S, Time: l.T, Data: l.D})
		}
	}
	return out, strconv.FormatInt(off, 10), nil
}
