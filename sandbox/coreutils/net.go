package coreutils

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"path"
	"strings"
	"sync"
	"time"

	"github.com/sockerless/sockerless/sandbox/command"
)

// wget [-q] [-O FILE] URL — HTTP(S) GET to a loopback host. Progress and
// errors go to stderr like busybox's; -O - writes the body to stdout.
func wget(ctx context.Context, inv *command.Invocation) int {
	o, err := parseOpts(inv.Args[1:], "OTU", map[string]byte{"quiet": 'q', "output-document": 'O'})
	if err != nil {
		return usage(inv, err)
	}
	if len(o.args) != 1 {
		return usage(inv, fmt.Errorf("usage: wget [-q] [-O FILE] URL"))
	}
	raw := o.args[0]
	if !strings.Contains(raw, "://") {
		raw = "http://" + raw
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return inv.Errorf("bad address '%s'", o.args[0])
	}
	out, ok := o.val['O']
	if !ok {
		out = path.Base(u.Path)
		if out == "." || out == "/" || out == "" {
			out = "index.html"
		}
	}
	resp, err := httpGet(ctx, inv.Sys.Dial, u, func(host string) {
		if !o.has('q') {
			fmt.Fprintf(inv.Stderr, "Connecting to %s\n", host)
		}
	})
	if err != nil {
		if errors.Is(err, command.ErrNotLoopback) {
			return inv.Errorf("refusing to connect to %s: %v", u.Hostname(), command.ErrNotLoopback)
		}
		var oe *net.OpError
		if errors.As(err, &oe) {
			err = oe.Err
		}
		return inv.Errorf("can't connect to remote host: %s", errText(err))
	}
	defer resp.Close()
	if resp.code >= 400 {
		return inv.Errorf("server returned error: %s %s", resp.proto, resp.status)
	}
	var w io.Writer = inv.Stdout
	if out != "-" {
		f, err := inv.FS.OpenFile(inv.Abs(out), os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
		if err != nil {
			return inv.Errorf("can't open '%s': %s", out, errText(err))
		}
		defer f.Close()
		w = f
		if !o.has('q') {
			fmt.Fprintf(inv.Stderr, "saving to '%s'\n", out)
		}
	}
	n, err := io.Copy(w, ctxReader{ctx, resp.body})
	if err != nil {
		return inv.Errorf("error getting response: %s", errText(err))
	}
	if !o.has('q') && out != "-" {
		fmt.Fprintf(inv.Stderr, "'%s' saved (%d bytes)\n", out, n)
	}
	return 0
}

// nc [-w SECS] HOST PORT sends stdin to a loopback TCP port and copies
// the answer to stdout; nc -l [-p] PORT accepts one connection on
// 127.0.0.1 and does the same with it.
func nc(ctx context.Context, inv *command.Invocation) int {
	o, err := parseOpts(inv.Args[1:], "pw", nil)
	if err != nil {
		return usage(inv, err)
	}
	// -w bounds how long connecting or waiting for a connection takes.
	connectCtx := ctx
	if v, ok := o.val['w']; ok {
		d, err := parseDuration(v)
		if err != nil {
			return inv.Errorf("%v", err)
		}
		var cancel context.CancelFunc
		connectCtx, cancel = context.WithTimeout(ctx, d)
		defer cancel()
	}
	var conn net.Conn
	switch {
	case o.has('l'):
		port := o.val['p']
		if port == "" && len(o.args) > 0 {
			port = o.args[len(o.args)-1]
		}
		if port == "" {
			return usage(inv, fmt.Errorf("usage: nc -l [-p] PORT"))
		}
		ln, err := inv.Sys.Listen(ctx, "tcp", net.JoinHostPort("127.0.0.1", port))
		if err != nil {
			return inv.Errorf("bind: %s", errText(err))
		}
		stop := context.AfterFunc(connectCtx, func() { ln.Close() })
		conn, err = ln.Accept()
		stop()
		ln.Close()
		if err != nil {
			return inv.Errorf("accept: %s", errText(err))
		}
	default:
		if len(o.args) != 2 {
			return usage(inv, fmt.Errorf("usage: nc HOST PORT"))
		}
		conn, err = inv.Sys.Dial(connectCtx, "tcp", net.JoinHostPort(o.args[0], o.args[1]))
		if errors.Is(err, command.ErrNotLoopback) {
			return inv.Errorf("refusing to connect to %s: %v", o.args[0], command.ErrNotLoopback)
		}
		if err != nil {
			var oe *net.OpError
			if errors.As(err, &oe) {
				err = oe.Err
			}
			return inv.Errorf("can't connect to remote host (%s): %s", o.args[0], errText(err))
		}
	}
	defer conn.Close()
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	// Stdin goes out until it ends, then the write side is shut so the
	// peer sees EOF; the answer is copied until the peer closes.
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		io.Copy(conn, inv.Stdin)
		if cw, ok := conn.(interface{ CloseWrite() error }); ok {
			cw.CloseWrite()
		}
	}()
	io.Copy(unbuffered(inv.Stdout), conn)
	// The peer has finished; let stdin still go out, but do not wait
	// long for it: a terminal or pipe that never ends would otherwise
	// hold nc open after the connection is over.
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(time.Second):
	case <-ctx.Done():
	}
	conn.Close()
	return 0
}
