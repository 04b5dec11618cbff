package hub

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"syscall"

	"github.com/sockerless/sockerless/agent/proto"
)

// maxTopReply bounds a top answer the hub will buffer.
const maxTopReply = 8 << 20

// Session is one live connection to a container's agent.
type Session struct {
	c     *container
	m     *proto.Mux
	main  *proto.Channel
	hello proto.Hello

	mu    sync.Mutex
	next  uint32
	execs map[string]*proto.Channel

	// acked is set when the hub acknowledges main's exit on this
	// session (just before sending, so a reader that sees the
	// connection end after the agent got the ack also sees it).
	acked atomic.Bool

	// running is closed once main runs: at the agent's ack of start,
	// or at once when its hello says main was started already or the
	// agent does not ack starts (Hello.AcksStart).
	running     chan struct{}
	runningOnce sync.Once
}

// Running is closed once the session's main process runs (or has run).
func (s *Session) Running() <-chan struct{} { return s.running }

func (s *Session) markRunning() { s.runningOnce.Do(func() { close(s.running) }) }

// ackExit acknowledges main's exit, which the hub has recorded.
func (s *Session) ackExit() {
	s.acked.Store(true)
	_ = s.main.Send(proto.TypeAck, nil) // a failure ends the session; the agent says exited again
}

// Done is closed when the connection ends.
func (s *Session) Done() <-chan struct{} { return s.m.Done() }

// Hello is what the agent said when it connected.
func (s *Session) Hello() proto.Hello { return s.hello }

// open allocates a channel and sends the request on it.
func (s *Session) open(req proto.Open) (*proto.Channel, error) {
	s.mu.Lock()
	id := s.next
	s.next++
	s.mu.Unlock()
	ch := s.m.Open(id, nil)
	if err := ch.SendJSON(proto.TypeOpen, req); err != nil {
		ch.Close()
		return nil, err
	}
	return ch, nil
}

// reply waits for the agent's ack (returned) or error.
func reply(ctx context.Context, ch *proto.Channel) (proto.Frame, error) {
	f, err := ch.Recv(ctx)
	if err != nil {
		return f, err
	}
	switch f.Type {
	case proto.TypeAck:
		return f, nil
	case proto.TypeError:
		return f, remoteError(f)
	case proto.TypeClose:
		return f, fmt.Errorf("%w: agent closed channel %d without an answer", proto.ErrConnLost, ch.ID())
	}
	return f, fmt.Errorf("%w: %s frame on channel %d before the answer", proto.ErrFrame, f.Type, ch.ID())
}

func remoteError(f proto.Frame) error {
	e := &proto.Error{}
	if err := proto.DecodeJSON(f, e); err != nil {
		return err
	}
	return e
}

// Exec runs spec in the container. started is called once the process
// runs. stdin (if not nil) feeds the process; its EOF closes the
// process's stdin. Output that stdout or stderr refuses is dropped: the
// process keeps running, as Docker's does when its client leaves. Exec
// returns the exit code, or an error if the process could not start, the
// connection dropped or ctx ended (the process is then left running).
func (s *Session) Exec(ctx context.Context, execID string, spec proto.ProcessSpec, stdin io.Reader, stdout, stderr io.Writer, started func()) (int, error) {
	ch, err := s.open(proto.Open{Kind: proto.OpenExec, ExecID: execID, Spec: &spec})
	if err != nil {
		return -1, err
	}
	defer ch.Close()
	s.mu.Lock()
	s.execs[execID] = ch
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		if s.execs[execID] == ch {
			delete(s.execs, execID)
		}
		s.mu.Unlock()
	}()

	if _, err := reply(ctx, ch); err != nil {
		return -1, err
	}
	if started != nil {
		started()
	}
	if stdin != nil {
		pumpCtx, stop := context.WithCancel(ctx)
		defer stop()
		go pumpExecStdin(pumpCtx, ch, stdin)
	}
	for {
		f, err := ch.Recv(ctx)
		if err != nil {
			return -1, err
		}
		switch f.Type {
		case proto.TypeStdout:
			stdout = writeOrDrop(stdout, f.Payload)
		case proto.TypeStderr:
			stderr = writeOrDrop(stderr, f.Payload)
		case proto.TypeExit:
			var e proto.Exit
			if err := proto.DecodeJSON(f, &e); err != nil {
				return -1, err
			}
			return e.Code, nil
		case proto.TypeError:
			return -1, remoteError(f)
		case proto.TypeClose:
			return -1, fmt.Errorf("%w: exec %s ended without an exit code", proto.ErrConnLost, execID)
		}
	}
}

// writeOrDrop writes p and returns w, or nil once w has failed.
func writeOrDrop(w io.Writer, p []byte) io.Writer {
	if w == nil {
		return nil
	}
	if _, err := w.Write(p); err != nil {
		return nil
	}
	return w
}

func pumpExecStdin(ctx context.Context, ch *proto.Channel, stdin io.Reader) {
	if _, err := io.Copy(ch.Writer(ctx, proto.TypeStdin), stdin); err != nil {
		return
	}
	_ = ch.Send(proto.TypeStdinClose, nil)
}

// target is the channel of the main process (execID "") or of a running
// exec.
func (s *Session) target(execID string) (*proto.Channel, error) {
	if execID == "" {
		return s.main, nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	ch, ok := s.execs[execID]
	if !ok {
		return nil, fmt.Errorf("exec %s is not running in this session: %w", execID, proto.ErrNotFound)
	}
	return ch, nil
}

// Signal sends sig to main (execID "") or to a running exec.
func (s *Session) Signal(ctx context.Context, execID string, sig syscall.Signal) error {
	ch, err := s.target(execID)
	if err != nil {
		return err
	}
	return ch.SendJSON(proto.TypeSignal, proto.Signal{Sig: int(sig)})
}

// Resize sets the terminal size of main (execID "") or a running exec.
func (s *Session) Resize(ctx context.Context, execID string, h, w uint) error {
	ch, err := s.target(execID)
	if err != nil {
		return err
	}
	return ch.SendJSON(proto.TypeResize, proto.Resize{Height: h, Width: w})
}

// Top lists the processes the agent started, like `ps -ef`.
func (s *Session) Top(ctx context.Context, psArgs string) ([]string, [][]string, error) {
	ch, err := s.open(proto.Open{Kind: proto.OpenTop, PsArgs: psArgs})
	if err != nil {
		return nil, nil, err
	}
	defer ch.Close()
	var body []byte
	for {
		f, err := ch.Recv(ctx)
		if err != nil {
			return nil, nil, err
		}
		switch f.Type {
		case proto.TypeStdout:
			if len(body)+len(f.Payload) > maxTopReply {
				return nil, nil, fmt.Errorf("top answer exceeds %d bytes", maxTopReply)
			}
			body = append(body, f.Payload...)
		case proto.TypeError:
			return nil, nil, remoteError(f)
		case proto.TypeClose:
			var res proto.TopResult
			if err := json.Unmarshal(body, &res); err != nil {
				return nil, nil, fmt.Errorf("%w: top answer: %v", proto.ErrFrame, err)
			}
			return res.Titles, res.Processes, nil
		}
	}
}

// ArchiveStat describes a path in the container.
func (s *Session) ArchiveStat(ctx context.Context, path string) (proto.PathStat, error) {
	ch, err := s.open(proto.Open{Kind: proto.OpenArchiveStat, Path: path})
	if err != nil {
		return proto.PathStat{}, err
	}
	defer ch.Close()
	return readStat(ctx, ch)
}

func readStat(ctx context.Context, ch *proto.Channel) (proto.PathStat, error) {
	f, err := reply(ctx, ch)
	if err != nil {
		return proto.PathStat{}, err
	}
	var st proto.PathStat
	if err := proto.DecodeJSON(f, &st); err != nil {
		return proto.PathStat{}, err
	}
	return st, nil
}

// ArchiveGet returns the stat of path and a tar stream of it. Close the
// stream when done; closing early abandons the transfer. Reads use ctx.
func (s *Session) ArchiveGet(ctx context.Context, path string) (proto.PathStat, io.ReadCloser, error) {
	ch, err := s.open(proto.Open{Kind: proto.OpenArchiveGet, Path: path})
	if err != nil {
		return proto.PathStat{}, nil, err
	}
	st, err := readStat(ctx, ch)
	if err != nil {
		ch.Close()
		return proto.PathStat{}, nil, err
	}
	return st, &channelReader{ctx: ctx, ch: ch}, nil
}

// channelReader reads stdout frames until the agent closes the channel.
type channelReader struct {
	ctx context.Context
	ch  *proto.Channel
	buf []byte
	err error
}

func (r *channelReader) Read(p []byte) (int, error) {
	for len(r.buf) == 0 {
		if r.err != nil {
			return 0, r.err
		}
		f, err := r.ch.Recv(r.ctx)
		switch {
		case err != nil:
			r.err = err
		case f.Type == proto.TypeStdout:
			r.buf = f.Payload
		case f.Type == proto.TypeError:
			r.err = remoteError(f)
		case f.Type == proto.TypeClose:
			r.err = io.EOF
		}
	}
	n := copy(p, r.buf)
	r.buf = r.buf[n:]
	return n, nil
}

func (r *channelReader) Close() error {
	r.ch.Close()
	return nil
}

// ArchivePut extracts the tar stream into the directory at path.
func (s *Session) ArchivePut(ctx context.Context, path string, tar io.Reader, noOverwriteDirNonDir bool) error {
	ch, err := s.open(proto.Open{Kind: proto.OpenArchivePut, Path: path, NoOverwriteDirNonDir: noOverwriteDirNonDir})
	if err != nil {
		return err
	}
	defer ch.Close()
	// The agent may refuse before reading everything (the path does not
	// exist); its answer then explains the closed channel.
	_, err = io.Copy(ch.Writer(ctx, proto.TypeStdin), tar)
	switch {
	case err == nil:
		if err := ch.Send(proto.TypeStdinClose, nil); err != nil {
			return err
		}
	case !errors.Is(err, proto.ErrClosed):
		return fmt.Errorf("sending archive: %w", err)
	}
	_, err = reply(ctx, ch)
	return err
}

// Release starts a main process the agent holds for the edge
// (agent.Config.HoldMain), or, with refused set, fails it with that
// reason. A repeated release changes nothing.
func (s *Session) Release(ctx context.Context, refused string) error {
	ch, err := s.open(proto.Open{Kind: proto.OpenRelease, Refused: refused})
	if err != nil {
		return err
	}
	defer ch.Close()
	_, err = reply(ctx, ch)
	return err
}
