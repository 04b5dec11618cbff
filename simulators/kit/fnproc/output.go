package fnproc

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
)

// markPrefix starts the mark Flush writes into the pipe, followed by the
// flush's number and a NUL: when the reader meets it, everything the
// process wrote before has been read, because a pipe is first in, first
// out.
const markPrefix = "\x00fnproc-flush:"

// maxBatch bounds how many lines one emit carries.
const maxBatch = 4096

// Output is the pipe a function process writes its stdout and stderr to,
// read back line by line.
type Output struct {
	w *os.File

	mu      sync.Mutex
	marks   uint64        // marks written, under mu
	seen    uint64        // the last mark read, under mu
	flushed chan struct{} // a wake-up for Flush when a mark is read
}

// NewOutput makes the pipe and reads it until it is closed, handing the
// lines to emit in order, as many at a time as have arrived (from one
// goroutine).
func NewOutput(emit func(lines []string)) (*Output, error) {
	r, w, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	o := &Output{w: w, flushed: make(chan struct{}, 1)}
	go o.read(r, emit)
	return o, nil
}

// W is the pipe's write end, for the process's stdout and stderr.
func (o *Output) W() *os.File { return o.w }

// Close closes the write end; the reader ends once the process's copies
// are closed too.
func (o *Output) Close() error { return o.w.Close() }

func (o *Output) read(r *os.File, emit func([]string)) {
	defer r.Close()
	br := bufio.NewReaderSize(r, 64<<10)
	var batch []string
	for {
		line, err := br.ReadString('\n')
		if err != nil && line == "" {
			if len(batch) > 0 {
				emit(batch)
			}
			if err != io.EOF {
				fmt.Fprintf(os.Stderr, "fnproc: reading a function's output: %v\n", err)
			}
			return
		}
		line = strings.TrimSuffix(line, "\n")
		text, mark, marked := cutMark(line)
		if text != "" || !marked {
			batch = append(batch, text)
		}
		// Emit what has arrived before waiting for more, and before a
		// mark's flush returns.
		if marked || len(batch) >= maxBatch || !completeLineBuffered(br) {
			if len(batch) > 0 {
				emit(batch)
				batch = nil
			}
		}
		if marked {
			o.mu.Lock()
			o.seen = mark
			o.mu.Unlock()
			select {
			case o.flushed <- struct{}{}:
			default:
			}
		}
	}
}

// completeLineBuffered says whether a whole line is already read in, so
// the next ReadString does not wait on the process.
func completeLineBuffered(br *bufio.Reader) bool {
	b, _ := br.Peek(br.Buffered())
	return bytes.IndexByte(b, '\n') >= 0
}

// cutMark splits a mark off the end of line: the process may have left a
// partial line before it.
func cutMark(line string) (text string, mark uint64, ok bool) {
	i := strings.LastIndex(line, markPrefix)
	if i < 0 || !strings.HasSuffix(line, "\x00") {
		return line, 0, false
	}
	n, err := strconv.ParseUint(line[i+len(markPrefix):len(line)-1], 10, 64)
	if err != nil {
		return line, 0, false
	}
	return line[:i], n, true
}

// Flush waits until every line written so far is read and emitted. It
// gives up after limit, a guard against a reader that no longer drains
// the pipe, and then says false.
func (o *Output) Flush(limit time.Duration) bool {
	deadline := time.Now().Add(limit)
	o.mu.Lock()
	o.marks++
	n := o.marks
	o.mu.Unlock()
	// The write blocks while the pipe is full, until the reader makes room.
	o.w.SetWriteDeadline(deadline)
	_, err := o.w.WriteString(markPrefix + strconv.FormatUint(n, 10) + "\x00\n")
	o.w.SetWriteDeadline(time.Time{})
	if err != nil {
		return false
	}
	timer := time.NewTimer(time.Until(deadline))
	defer timer.Stop()
	for {
		o.mu.Lock()
		done := o.seen >= n
		o.mu.Unlock()
		if done {
			return true
		}
		select {
		case <-o.flushed:
		case <-timer.C:
			return false
		}
	}
}
