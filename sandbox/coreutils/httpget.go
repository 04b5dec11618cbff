package coreutils

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/textproto"
	"net/url"
	"strconv"
	"strings"
)

// A plain HTTP/1.1 GET, which is all wget needs, rather than net/http:
// the utilities are one WASI module that every command instantiates,
// and net/http with crypto/tls would triple its size and start-up time.
// The sandbox reaches loopback hosts only, where TLS is rare; https is
// refused with a message saying so.

// maxRedirects bounds a redirect chain, as busybox wget does.
const maxRedirects = 20

// response is a GET's outcome: the status and the body to read.
type response struct {
	proto, status string // "HTTP/1.1", "404 Not Found"
	code          int
	body          io.Reader
	conn          net.Conn
}

func (r *response) Close() error { return r.conn.Close() }

type dialFunc func(ctx context.Context, network, address string) (net.Conn, error)

// httpGet fetches u, following redirects.
func httpGet(ctx context.Context, dial dialFunc, u *url.URL, onConnect func(host string)) (*response, error) {
	for range maxRedirects {
		if u.Scheme != "http" {
			return nil, fmt.Errorf("%s: only http:// URLs are supported by the sandbox's wget", u.Scheme)
		}
		onConnect(u.Host)
		resp, err := get(ctx, dial, u)
		if err != nil {
			return nil, err
		}
		if resp.code < 300 || resp.code >= 400 || resp.code == 304 {
			return resp.response, nil
		}
		loc := resp.location
		resp.Close()
		if loc == "" {
			return nil, fmt.Errorf("redirect without a Location")
		}
		next, err := u.Parse(loc)
		if err != nil {
			return nil, fmt.Errorf("bad redirect '%s'", loc)
		}
		u = next
	}
	return nil, errors.New("too many redirections")
}

type fetched struct {
	*response
	location string
}

func get(ctx context.Context, dial dialFunc, u *url.URL) (fetched, error) {
	host := u.Host
	if u.Port() == "" {
		host = net.JoinHostPort(u.Hostname(), "80")
	}
	conn, err := dial(ctx, "tcp", host)
	if err != nil {
		return fetched{}, err
	}
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	target := u.RequestURI()
	req := "GET " + target + " HTTP/1.1\r\nHost: " + u.Host + "\r\nUser-Agent: Wget\r\nConnection: close\r\n\r\n"
	if _, err := io.WriteString(conn, req); err != nil {
		conn.Close()
		return fetched{}, err
	}
	br := bufio.NewReader(conn)
	tp := textproto.NewReader(br)
	line, err := tp.ReadLine()
	if err != nil {
		conn.Close()
		return fetched{}, fmt.Errorf("reading the response: %w", err)
	}
	proto, status, _ := strings.Cut(line, " ")
	codeText, _, _ := strings.Cut(status, " ")
	code, err := strconv.Atoi(codeText)
	if !strings.HasPrefix(proto, "HTTP/") || err != nil {
		conn.Close()
		return fetched{}, fmt.Errorf("malformed response '%s'", line)
	}
	hdr, err := tp.ReadMIMEHeader()
	if err != nil {
		conn.Close()
		return fetched{}, fmt.Errorf("reading the response headers: %w", err)
	}
	resp := &response{proto: proto, status: status, code: code, conn: conn, body: br}
	switch {
	case strings.EqualFold(hdr.Get("Transfer-Encoding"), "chunked"):
		resp.body = &chunked{r: br}
	case hdr.Get("Content-Length") != "":
		n, err := strconv.ParseInt(hdr.Get("Content-Length"), 10, 64)
		if err != nil || n < 0 {
			conn.Close()
			return fetched{}, fmt.Errorf("bad Content-Length '%s'", hdr.Get("Content-Length"))
		}
		resp.body = io.LimitReader(br, n)
	}
	return fetched{response: resp, location: hdr.Get("Location")}, nil
}

// chunked decodes a chunked transfer-encoded body (RFC 9112 7.1);
// trailers are read and dropped.
type chunked struct {
	r    *bufio.Reader
	left int64 // bytes left in the current chunk
	done bool
}

func (c *chunked) Read(p []byte) (int, error) {
	if c.done {
		return 0, io.EOF
	}
	if c.left == 0 {
		line, err := c.r.ReadString('\n')
		if err != nil {
			return 0, io.ErrUnexpectedEOF
		}
		size, _, _ := strings.Cut(strings.TrimSpace(line), ";")
		n, err := strconv.ParseInt(size, 16, 64)
		if err != nil || n < 0 {
			return 0, fmt.Errorf("bad chunk size '%s'", size)
		}
		if n == 0 {
			c.done = true
			for { // trailers end with an empty line
				l, err := c.r.ReadString('\n')
				if err != nil || strings.TrimSpace(l) == "" {
					return 0, io.EOF
				}
			}
		}
		c.left = n
	}
	if int64(len(p)) > c.left {
		p = p[:c.left]
	}
	n, err := c.r.Read(p)
	c.left -= int64(n)
	if c.left == 0 && err == nil {
		if _, err := c.r.Discard(2); err != nil { // the chunk's CRLF
			return n, io.ErrUnexpectedEOF
		}
	}
	if err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	return n, err
}
