package fnproc

import (
	"bufio"
	"os"
	"strings"
	"time"
)

// flushMark is written into the pipe by Flush: when the reader meets it,
// everything the process wrote before has been read, because a pipe is
// first in, first out.
const flushMark = "\x00fnproc-flush\x00"

// Output is the pipe a function process writes its stdout and stderr to,
// read back line by line.
type Output struct {
	w       *os.File
	flushed chan struct{}
}

// NewOutput makes the pipe and reads it until it is closed, handing each
// line to emit (from one goroutine, in order).
func NewOutput(emit func(line string)) (*Output, error) {
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

func (o *Output) read(r *os.File, emit func(string)) {
	defer r.Close()
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		marked := strings.Contains(line, flushMark)
		line = strings.ReplaceAll(line, flushMark, "")
		if line != "" || !marked {
			emit(line)
		}
		if marked {
			select {
			case o.flushed <- struct{}{}:
			default:
			}
		}
	}
}

// Flush waits, up to a second, until every line written so far is read.
func (o *Output) Flush() {
	select {
	case <-o.flushed: // a stale mark from an earlier flush that timed out
	default:
	}
	if _, err := o.w.WriteString(flushMark + "\n"); err != nil {
		return
	}
	select {
	case <-o.flushed:
	case <-time.After(time.Second):
	}
}
