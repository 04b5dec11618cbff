// Command nettest exercises package guest from inside the sandbox's
// WASI module; sandbox/wasm's hostnet_test.go builds and runs it.
//
//	nettest echo ADDR MSG    send MSG, half-close, print the answer
//	nettest nc ADDR          stdin to the connection, then its answer to stdout
//	nettest dial ADDR        print how dialling ADDR ends
//	nettest serve ADDR       accept one connection, answer "echo:" + what it sent
//	nettest http URL         GET URL through net/http over guest.Dial
//	nettest accept ADDR      block in Accept
//	nettest read ADDR        block in Read
//	nettest unblock ADDR     Close and deadlines end blocked calls
//	nettest limit ADDR       dial until the handle limit
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"syscall"
	"time"

	"github.com/sockerless/sockerless/sandbox/wasm/guest"
)

func main() {
	if len(os.Args) < 3 {
		fail(errors.New("usage: nettest CMD ADDR [ARG]"))
	}
	addr := os.Args[2]
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	switch os.Args[1] {
	case "echo":
		c := dial(ctx, addr)
		io.WriteString(c, os.Args[3])
		check(c.(interface{ CloseWrite() error }).CloseWrite())
		b, err := io.ReadAll(c)
		check(err)
		fmt.Printf("answer %q\n", b)
	case "nc":
		c := dial(ctx, addr)
		go func() {
			io.Copy(c, os.Stdin)
			c.(interface{ CloseWrite() error }).CloseWrite()
		}()
		_, err := io.Copy(os.Stdout, c)
		check(err)
	case "dial":
		c, err := guest.Dial(ctx, "tcp", addr)
		if err != nil {
			fmt.Printf("notloopback=%t refused=%t dns=%t: %v\n", errors.Is(err, guest.ErrNotLoopback),
				errors.Is(err, syscall.ECONNREFUSED), isDNS(err), err)
			os.Exit(1)
		}
		fmt.Printf("connected %s -> %s\n", c.LocalAddr(), c.RemoteAddr())
	case "serve":
		ln := listen(addr)
		c, err := ln.Accept()
		check(err)
		b, err := io.ReadAll(c)
		check(err)
		io.WriteString(c, "echo:"+string(b))
		check(c.Close())
		fmt.Printf("served %s\n", c.RemoteAddr())
	case "http":
		tr := &http.Transport{DialContext: guest.Dial}
		resp, err := (&http.Client{Transport: tr}).Get(addr)
		check(err)
		b, err := io.ReadAll(resp.Body)
		check(err)
		fmt.Printf("%s %s\n", resp.Status, b)
	case "accept":
		ln := listen(addr)
		_, err := ln.Accept()
		fail(err)
	case "read":
		c := dial(ctx, addr)
		fmt.Println("connected")
		_, err := c.Read(make([]byte, 1))
		fail(err)
	case "unblock":
		unblock(ctx, addr)
	case "limit":
		for n := 0; ; n++ {
			c, err := guest.Dial(ctx, "tcp", addr)
			if err != nil {
				fmt.Printf("opened %d emfile=%t: %v\n", n, errors.Is(err, syscall.EMFILE), err)
				return
			}
			defer c.Close()
		}
	default:
		fail(fmt.Errorf("unknown command %q", os.Args[1]))
	}
}

// unblock shows that Close from another goroutine ends a blocked Read
// and Accept, and that a read deadline ends a Read.
func unblock(ctx context.Context, addr string) {
	ln := listen("127.0.0.1:0")
	c := dial(ctx, addr)
	check(c.SetReadDeadline(time.Now().Add(50 * time.Millisecond)))
	_, err := c.Read(make([]byte, 1))
	fmt.Printf("deadline timeout=%t\n", errors.Is(err, os.ErrDeadlineExceeded))
	check(c.SetReadDeadline(time.Time{}))

	errs := make(chan error, 2)
	go func() { _, err := c.Read(make([]byte, 1)); errs <- err }()
	go func() { _, err := ln.Accept(); errs <- err }()
	time.Sleep(50 * time.Millisecond)
	c.Close()
	ln.Close()
	for range 2 {
		fmt.Printf("closed=%t\n", errors.Is(<-errs, net.ErrClosed))
	}
}

func dial(ctx context.Context, addr string) net.Conn {
	c, err := guest.Dial(ctx, "tcp", addr)
	check(err)
	return c
}

func listen(addr string) net.Listener {
	ln, err := guest.Listen("tcp", addr)
	check(err)
	fmt.Printf("listening %s\n", ln.Addr())
	return ln
}

func isDNS(err error) bool {
	var d *net.DNSError
	return errors.As(err, &d)
}

func check(err error) {
	if err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "nettest:", err)
	os.Exit(1)
}
