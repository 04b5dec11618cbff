package wasm

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"slices"
	"syscall"
	"testing"
	"time"

	"github.com/sockerless/sockerless/sandbox/command"
)

// TestLoopbackAddrs: what a process may reach, decided after
// resolution; refusals are ENOTCAPABLE to the module.
func TestLoopbackAddrs(t *testing.T) {
	lo4, lo6 := netip.MustParseAddr("127.0.0.1"), netip.MustParseAddr("::1")
	for _, c := range []struct {
		network, addr string
		want          netip.Addr // one of the addresses kept
		port          uint16
		errno         int32
	}{
		{"tcp", "127.0.0.1:80", lo4, 80, 0},
		{"tcp", "127.1.2.3:80", netip.MustParseAddr("127.1.2.3"), 80, 0},
		{"tcp", "[::1]:8080", lo6, 8080, 0},
		{"tcp", "[::ffff:127.0.0.1]:1", lo4, 1, 0},
		{"tcp4", "localhost:1", lo4, 1, 0},
		{"tcp", ":1", lo4, 1, 0},
		{"tcp", "0.0.0.0:1", lo4, 1, 0},
		{"tcp", "127.0.0.1:http", lo4, 80, 0},
		{"tcp", "10.255.255.1:80", netip.Addr{}, 0, errnoNotCapable},
		{"tcp", "192.0.2.1:80", netip.Addr{}, 0, errnoNotCapable},
		{"tcp", "[2001:db8::1]:80", netip.Addr{}, 0, errnoNotCapable},
		{"tcp6", "127.0.0.1:80", netip.Addr{}, 0, errnoAddrNotAvail},
		{"tcp", "127.0.0.1", netip.Addr{}, 0, 28},
	} {
		t.Run(c.network+" "+c.addr, func(t *testing.T) {
			ips, port, err := loopbackAddrs(context.Background(), nil, c.network, c.addr)
			if c.errno != 0 {
				if err == nil || netErrno(err) != c.errno {
					t.Fatalf("err %v, want errno %d", err, c.errno)
				}
				return
			}
			if err != nil || port != c.port || !slices.Contains(ips, c.want) {
				t.Fatalf("%v %d %v, want %v port %d", ips, port, err, c.want, c.port)
			}
		})
	}
}

// TestHostnameNotLoopback: a name resolving only elsewhere is refused
// like an address. The machine's own name is the one such name a test
// can count on finding, and only where it is not mapped to loopback.
func TestHostnameNotLoopback(t *testing.T) {
	name, err := os.Hostname()
	if err != nil {
		t.Skip(err)
	}
	found, err := net.DefaultResolver.LookupNetIP(context.Background(), "ip", name)
	if err != nil || slices.ContainsFunc(found, func(a netip.Addr) bool { return a.Unmap().IsLoopback() }) {
		t.Skipf("%s resolves to %v (%v): no name resolving only elsewhere here", name, found, err)
	}
	if _, _, err := loopbackAddrs(context.Background(), nil, "tcp", name+":80"); netErrno(err) != errnoNotCapable {
		t.Errorf("%s (%v): %v", name, found, err)
	}
}

// TestNetTableLimit: a process holds at most maxNetHandles; closing one
// frees a slot; a closed table refuses new handles.
func TestNetTableLimit(t *testing.T) {
	tb := newNetTable(nil)
	var ids []int32
	for range maxNetHandles {
		id, err := tb.listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	if _, err := tb.listen("tcp", "127.0.0.1:0"); !errors.Is(err, errTooManyHandles) || netErrno(err) != errnoMFile {
		t.Fatalf("over the limit: %v", err)
	}
	if err := tb.closeHandle(ids[0]); err != nil {
		t.Fatal(err)
	}
	if err := tb.closeHandle(ids[0]); netErrno(err) != 8 {
		t.Errorf("closing twice: %v", err)
	}
	id, err := tb.listen("tcp", "127.0.0.1:0")
	if err != nil || slices.Contains(ids, id) {
		t.Fatalf("after a close: %d %v (handles are not reused)", id, err)
	}
	tb.close()
	if _, err := tb.listen("tcp", "127.0.0.1:0"); netErrno(err) != errnoCanceled {
		t.Errorf("closed table: %v", err)
	}
}

// TestNetTableCloseWakes: closing the table (the process ends) wakes an
// accept and a connect waiting in the host.
func TestNetTableCloseWakes(t *testing.T) {
	tb := newNetTable(nil)
	ln, err := tb.listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	errs := make(chan error, 1)
	go func() {
		_, err := tb.accept(ln, time.Now().Add(10*time.Second))
		errs <- err
	}()
	time.Sleep(20 * time.Millisecond)
	begin := time.Now()
	tb.close()
	if err := <-errs; netErrno(err) != 8 || time.Since(begin) > time.Second {
		t.Errorf("accept ended with %v after %v", err, time.Since(begin))
	}
}

// TestNetTableDial: a connect completes through connect, and a refusal
// is ECONNREFUSED.
func TestNetTableDial(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	open := l.Addr().String()
	l.Close()
	srv, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	tb := newNetTable(nil)
	defer tb.close()
	for _, c := range []struct {
		addr  string
		errno int32
	}{{srv.Addr().String(), 0}, {open, errnoConnRefused}, {"10.255.255.1:80", errnoNotCapable}} {
		id, err := tb.dial("tcp", c.addr)
		if err != nil {
			t.Fatal(err)
		}
		for err = errWouldBlock; errors.Is(err, errWouldBlock); {
			err = tb.connect(id, time.Now().Add(maxNetWait))
		}
		if got := netErrnoOrZero(err); got != c.errno {
			t.Errorf("%s: %v (errno %d), want errno %d", c.addr, err, got, c.errno)
		}
		if c.errno == 0 {
			a, err := tb.addr(id, true)
			if err != nil || a.String() != c.addr {
				t.Errorf("remote address %v %v", a, err)
			}
		}
	}
}

func netErrnoOrZero(err error) int32 {
	if err == nil {
		return 0
	}
	return netErrno(err)
}

func TestNetErrno(t *testing.T) {
	for _, c := range []struct {
		err  error
		want int32
	}{
		{os.ErrDeadlineExceeded, errnoAgain},
		{&net.OpError{Op: "read", Err: os.ErrDeadlineExceeded}, errnoAgain},
		{fmt.Errorf("x: %w", command.ErrNotLoopback), errnoNotCapable},
		{&net.OpError{Op: "dial", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}, errnoConnRefused},
		{os.NewSyscallError("write", syscall.EPIPE), errnoPipe},
		{net.ErrClosed, 8},
		{&net.DNSError{Err: "no such host", IsNotFound: true}, 44},
		{context.DeadlineExceeded, errnoTimedOut},
		{errors.New("other"), 29},
	} {
		if got := netErrno(c.err); got != c.want {
			t.Errorf("%v: %d, want %d", c.err, got, c.want)
		}
	}
}

// TestWithNetClosesOnCancel: cancelling the process's context closes its
// sockets without waiting for the module to come back from the host.
func TestWithNetClosesOnCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	mctx, done := withNet(ctx, context.Background(), nil)
	defer done()
	tb := mctx.Value(netKey{}).(*netTable)
	id, err := tb.listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	a, _ := tb.addr(id, false)
	cancel()
	deadline := time.Now().Add(time.Second)
	for {
		c, err := net.Dial("tcp", a.String())
		if err != nil {
			break
		}
		c.Close()
		if time.Now().After(deadline) {
			t.Fatal("listener still open after the cancel")
		}
		time.Sleep(5 * time.Millisecond)
	}
	if _, err := tb.listen("tcp", "127.0.0.1:0"); netErrno(err) != errnoCanceled {
		t.Errorf("listen after the cancel: %v", err)
	}
}
