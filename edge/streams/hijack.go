package streams

import (
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/moby/moby/api/pkg/stdcopy"

	"github.com/sockerless/sockerless/edge/apiversion"
	"github.com/sockerless/sockerless/edge/metrics"
)

// Content types of a hijacked stream, as dockerd sends them.
const (
	rawStream         = "application/vnd.docker.raw-stream"
	multiplexedStream = "application/vnd.docker.multiplexed-stream"
)

// hijacked is a client connection taken over from net/http for a raw
// bidirectional stream (attach, exec start).
type hijacked struct {
	conn  net.Conn
	stdin io.Reader // reads what the client sends, buffered bytes first
	out   *lockedWriter
	once  sync.Once
}

// hijack takes the connection and writes the response head the way
// dockerd does: 101 UPGRADED when the client asked to upgrade to tcp
// (the docker CLI and SDK do), else 200 OK with the stream following.
// The multiplexed content type exists from API 1.42; older clients get
// raw-stream for both framings.
func (e *Env) hijack(w http.ResponseWriter, r *http.Request, version string, tty bool) (*hijacked, error) {
	ct := rawStream
	if !tty && !apiversion.Less(version, "1.42") {
		ct = multiplexedStream
	}
	header := w.Header().Clone()
	conn, brw, err := http.NewResponseController(w).Hijack()
	if err != nil {
		return nil, fmt.Errorf("cannot hijack the connection: %w", err)
	}
	// Hijacked connections keep whatever deadline net/http set while
	// reading the request head; a stream may last for hours.
	_ = conn.SetDeadline(time.Time{})

	var b strings.Builder
	if strings.EqualFold(r.Header.Get("Upgrade"), "tcp") {
		b.WriteString("HTTP/1.1 101 UPGRADED\r\n")
		fmt.Fprintf(&b, "Content-Type: %s\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n", ct)
	} else {
		fmt.Fprintf(&b, "HTTP/1.1 200 OK\r\nContent-Type: %s\r\n", ct)
	}
	for _, k := range []string{"Api-Version", "Ostype", "Server"} {
		if v := header.Get(k); v != "" {
			fmt.Fprintf(&b, "%s: %s\r\n", k, v)
		}
	}
	b.WriteString("\r\n")
	if _, err := io.WriteString(conn, b.String()); err != nil {
		conn.Close()
		return nil, fmt.Errorf("writing the stream header: %w", err)
	}
	h := &hijacked{conn: conn, stdin: brw.Reader, out: &lockedWriter{w: conn}}
	if n := metrics.StreamOf(r.Context()); n != nil {
		h.stdin, h.out.w = metrics.Reader{R: h.stdin, N: &n.In}, metrics.Writer{W: conn, N: &n.Out}
	}
	return h, nil
}

// headPause separates the response head from output that is ready at
// once (an attach's stored logs). Some clients (docker-py) read the head
// through a buffered reader and then the raw socket, losing whatever
// the buffer took beyond the head; dockerd's own delay in reading the
// logs keeps the two apart, and so does this.
const headPause = 25 * time.Millisecond

func (h *hijacked) pauseAfterHead() { time.Sleep(headPause) }

// streams are the writers for the process's stdout and stderr: the
// connection itself with a TTY, stdcopy frames without.
func (h *hijacked) streams(tty bool) (stdout, stderr io.Writer) {
	if tty {
		return h.out, h.out
	}
	return &stdWriter{w: h.out, t: stdcopy.Stdout}, &stdWriter{w: h.out, t: stdcopy.Stderr}
}

// fail tells the client why the stream ends: a stdcopy system-error
// frame on a multiplexed stream (StdCopy returns it as an error), the
// plain text on a raw one.
func (h *hijacked) fail(tty bool, err error) {
	if tty {
		_, _ = io.WriteString(h.out, err.Error()+"\n")
		return
	}
	_, _ = (&stdWriter{w: h.out, t: stdcopy.Systemerr}).Write([]byte(err.Error()))
}

// Close closes the client connection once.
func (h *hijacked) Close() {
	h.once.Do(func() { _ = h.conn.Close() })
}

// closeOnDone closes the connection when ctx ends, so blocked reads and
// writes return; the returned stop undoes it.
func (h *hijacked) closeOnDone(ctx context.Context) (stop func() bool) {
	return context.AfterFunc(ctx, h.Close)
}

// lockedWriter serializes writes from the stdout and stderr pumps so
// frames never interleave.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// stdWriter frames writes the way Docker multiplexes stdout and stderr
// on one connection: an 8-byte header (stream type, 3 zero bytes,
// big-endian payload length) before each payload. The api module's
// stdcopy only reads this framing, so the writer lives here.
type stdWriter struct {
	w io.Writer
	t stdcopy.StdType
}

func (s *stdWriter) Write(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	buf := make([]byte, 8+len(p))
	buf[0] = byte(s.t)
	binary.BigEndian.PutUint32(buf[4:8], uint32(len(p)))
	copy(buf[8:], p)
	n, err := s.w.Write(buf)
	n -= 8
	if n < 0 {
		n = 0
	}
	return n, err
}
