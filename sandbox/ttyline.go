package sandbox

import (
	"context"
	"errors"
	"io"
	"sync"
	"syscall"
	"unicode/utf8"
)

// Control characters of a terminal's default settings (termios c_cc).
const (
	keyIntr   = 0x03 // ^C: SIGINT
	keyEOF    = 0x04 // ^D
	keyBS     = 0x08 // ^H, sent by some terminals for backspace
	keyKill   = 0x15 // ^U: erase the line
	keyWerase = 0x17 // ^W: erase a word
	keyQuit   = 0x1c // ^\: SIGQUIT
	keyErase  = 0x7f // DEL, what backspace sends in raw mode
)

// maxInput is the longest line canonical mode holds, as Linux's 4096-byte
// buffer does: the last byte is kept for the newline.
const maxInput = 4095

// errInterrupted is what a read waiting when ^C or ^\ arrived returns to a
// shell reading commands, so that it drops the statement it was reading
// and prompts again.
var errInterrupted = errors.New("interrupted")

// ttyLine is the input half of a terminal in its default (canonical)
// mode, for processes started with Spec.TTY. With -t the docker CLI puts
// the user's terminal in raw mode and sends keystrokes as they are typed;
// in a real container the pty's line discipline turns them into lines,
// echoes them and turns ^C into SIGINT. ttyLine does that in-process:
// ICRNL, ICANON (erase, ^U, ^W, ^D), ECHO, ECHOE, ECHOCTL and ISIG for ^C
// and ^\. Echo goes to the terminal's output, the writer the process
// writes to, which does ONLCR.
type ttyLine struct {
	echo   io.Writer
	signal func(syscall.Signal)

	mu      sync.Mutex
	changed chan struct{} // closed and replaced on every change a reader may wait for
	edit    []byte        // the line being typed
	queue   [][]byte      // completed input; an empty entry is an end of file (^D at the start of a line)
	off     int           // bytes of queue[0] already read
	intr    uint64        // counts ^C and ^\, so that reads waiting then see them
	ended   bool          // the input stream ended: reads see EOF once the queue is read
	closed  bool          // the process ended
	noEcho  bool          // read -s
}

// newTTYLine reads keystrokes from in (nil: no input ever arrives but the
// end of it) until it ends. signal delivers ^C and ^\ to the process.
func newTTYLine(in io.Reader, echo io.Writer, signal func(syscall.Signal)) *ttyLine {
	t := &ttyLine{echo: echo, signal: signal, changed: make(chan struct{})}
	if in == nil {
		t.end()
	} else {
		go t.pump(in)
	}
	return t
}

func (t *ttyLine) pump(in io.Reader) {
	buf := make([]byte, 4096)
	for {
		n, err := in.Read(buf)
		if n > 0 {
			t.feed(buf[:n])
		}
		if err != nil {
			t.end()
			return
		}
	}
}

// feed processes keystrokes. A signal key stops the batch: what it
// echoes is written and the signal delivered before later keys count.
func (t *ttyLine) feed(b []byte) {
	for len(b) > 0 {
		var out []byte
		var sig syscall.Signal
		t.mu.Lock()
		i := 0
		for i < len(b) && sig == 0 {
			out, sig = t.key(b[i], out)
			i++
		}
		if t.noEcho {
			out = nil
		}
		t.mu.Unlock()
		b = b[i:]
		if len(out) > 0 {
			t.echo.Write(out)
		}
		if sig != 0 {
			t.signal(sig)
			// Wake the reads that were waiting when the key arrived only
			// now, so that a command reading stdin ends by the signal.
			t.mu.Lock()
			t.broadcast()
			t.mu.Unlock()
		}
	}
}

// key handles one keystroke under t.mu, returning the echo and a signal
// to deliver.
func (t *ttyLine) key(c byte, out []byte) ([]byte, syscall.Signal) {
	switch c {
	case '\r', '\n': // ICRNL
		t.edit = append(t.edit, '\n')
		t.deliver()
		return append(out, '\n'), 0
	case keyEOF:
		// At the start of a line an empty read is an end of file;
		// otherwise the partial line is read without a newline.
		t.deliver()
		return out, 0
	case keyErase, keyBS:
		return t.erase(out, 1), 0
	case keyKill:
		return t.erase(out, len(t.edit)), 0
	case keyWerase:
		n := 0
		for n < len(t.edit) && isBlank(t.edit[len(t.edit)-1-n]) {
			n++
		}
		for n < len(t.edit) && !isBlank(t.edit[len(t.edit)-1-n]) {
			n++
		}
		return t.eraseBytes(out, n), 0
	case keyIntr, keyQuit:
		// ISIG: the line and any unread input are dropped, as without
		// NOFLSH, and reads waiting now are interrupted.
		t.edit, t.queue, t.off = nil, nil, 0
		t.intr++
		out = append(echoCtl(out, c), '\n')
		if c == keyIntr {
			return out, syscall.SIGINT
		}
		return out, syscall.SIGQUIT
	}
	if len(t.edit) >= maxInput {
		return out, 0
	}
	t.edit = append(t.edit, c)
	return echoCtl(out, c), 0
}

// erase removes the last n characters (runes) of the line being typed.
func (t *ttyLine) erase(out []byte, n int) []byte {
	size := 0
	for ; n > 0 && size < len(t.edit); n-- {
		_, w := utf8.DecodeLastRune(t.edit[:len(t.edit)-size])
		size += w
	}
	return t.eraseBytes(out, size)
}

// eraseBytes removes the last n bytes of the line being typed, which end
// on a character boundary, and echoes ECHOE's "\b \b" for each column.
func (t *ttyLine) eraseBytes(out []byte, n int) []byte {
	for n > 0 {
		r, w := utf8.DecodeLastRune(t.edit)
		t.edit = t.edit[:len(t.edit)-w]
		n -= w
		cols := 1
		if r < 0x20 && r != '\t' {
			cols = 2 // echoed as ^X
		}
		for range cols {
			out = append(out, "\b \b"...)
		}
	}
	return out
}

func isBlank(c byte) bool { return c == ' ' || c == '\t' }

// echoCtl echoes c, control characters as ^X (ECHOCTL).
func echoCtl(out []byte, c byte) []byte {
	if c < 0x20 && c != '\t' && c != '\n' {
		return append(out, '^', c+0x40)
	}
	return append(out, c)
}

// deliver makes the line typed so far readable.
func (t *ttyLine) deliver() {
	t.queue = append(t.queue, t.edit)
	t.edit = nil
	t.broadcast()
}

func (t *ttyLine) broadcast() {
	close(t.changed)
	t.changed = make(chan struct{})
}

// end is the end of the input stream (the client closed stdin): a partial
// line is still read, then reads see EOF.
func (t *ttyLine) end() {
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.edit) > 0 {
		t.queue = append(t.queue, t.edit)
		t.edit = nil
	}
	t.ended = true
	t.broadcast()
}

// Close wakes every reader with EOF; the process has ended.
func (t *ttyLine) Close() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.closed = true
	t.broadcast()
	return nil
}

// Read reads at most one line, as a read on a terminal does. A read
// waiting when ^C or ^\ arrives sees EOF: the signal ends the command.
func (t *ttyLine) Read(p []byte) (int, error) {
	n, err := t.read(context.Background(), p)
	if errors.Is(err, errInterrupted) {
		err = io.EOF
	}
	return n, err
}

// read is Read that stops when ctx ends and returns errInterrupted when a
// signal key arrives while it waits.
func (t *ttyLine) read(ctx context.Context, p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	t.mu.Lock()
	gen := t.intr
	for {
		switch {
		case t.closed:
			t.mu.Unlock()
			return 0, io.EOF
		case t.intr != gen:
			t.mu.Unlock()
			return 0, errInterrupted
		case len(t.queue) > 0:
			n := copy(p, t.queue[0][t.off:])
			t.off += n
			if t.off == len(t.queue[0]) {
				t.queue, t.off = t.queue[1:], 0
			}
			t.mu.Unlock()
			if n == 0 {
				return 0, io.EOF // ^D at the start of a line, once
			}
			return n, nil
		case t.ended:
			t.mu.Unlock()
			return 0, io.EOF
		}
		changed := t.changed
		t.mu.Unlock()
		select {
		case <-changed:
		case <-ctx.Done():
			return 0, ctx.Err()
		}
		t.mu.Lock()
	}
}

// readLine reads up to and including a newline.
func (t *ttyLine) readLine(ctx context.Context) ([]byte, error) {
	var line []byte
	buf := make([]byte, maxInput+1)
	for {
		n, err := t.read(ctx, buf)
		line = append(line, buf[:n]...)
		if err != nil || n > 0 && line[len(line)-1] == '\n' {
			return line, err
		}
	}
}

// setEcho turns echo on or off, as stty echo and -echo do.
func (t *ttyLine) setEcho(on bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.noEcho = !on
}
