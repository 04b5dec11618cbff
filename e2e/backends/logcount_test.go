package backends

import (
	"encoding/json"
	"sync"
	"time"
)

// logCount reads the edge's JSON log as it is written and adds up the
// function calls the edge reports: each request line's count, and each
// call the edge made on its own (an exit report, a --rm removal, an
// agent's authentication). slog writes one line per Write.
type logCount struct {
	mu    sync.Mutex
	calls int
}

func (l *logCount) Write(p []byte) (int, error) {
	var line struct {
		Msg   string `json:"msg"`
		Calls int    `json:"calls"`
	}
	if json.Unmarshal(p, &line) == nil {
		l.mu.Lock()
		switch line.Msg {
		case "request":
			l.calls += line.Calls
		case "edge call":
			l.calls++
		}
		l.mu.Unlock()
	}
	return len(p), nil
}

func (l *logCount) reset() {
	l.mu.Lock()
	l.calls = 0
	l.mu.Unlock()
}

// await returns the count once it reaches want, or what it is after a
// second: a request's line is written when its handler returns, a
// moment after the client has its answer.
func (l *logCount) await(want int) int {
	deadline := time.Now().Add(time.Second)
	for {
		l.mu.Lock()
		n := l.calls
		l.mu.Unlock()
		if n >= want || time.Now().After(deadline) {
			return n
		}
		time.Sleep(5 * time.Millisecond)
	}
}
