package harness

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"
)

// HTTPResponse is a raw API answer read to the end.
type HTTPResponse struct {
	Status int
	Header http.Header
	Body   []byte
}

// HTTPClient returns an http.Client that dials the engine's unix socket,
// for requests the docker CLI and the SDK do not make as-is (bad bodies,
// HEAD /_ping, explicit API versions).
func (e *Engine) HTTPClient() *http.Client {
	return unixClient(e.Socket)
}

// HTTP sends one request to the engine and reads the whole answer.
// path is sent as given, so it may carry a /vX.Y prefix or none.
func (e *Engine) HTTP(method, path string, header http.Header, body io.Reader) (HTTPResponse, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, "http://docker"+path, body)
	if err != nil {
		return HTTPResponse{}, err
	}
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := e.HTTPClient().Do(req)
	if err != nil {
		return HTTPResponse{}, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return HTTPResponse{Status: resp.StatusCode, Header: resp.Header, Body: b}, err
}

func unixClient(socket string) *http.Client {
	return &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", socket)
		},
		DisableKeepAlives: true,
	}}
}

// waitPing polls GET /_ping on socket until it answers 200 OK, the process
// exits (exited is closed), or the deadline passes.
func waitPing(socket string, exited <-chan struct{}, within time.Duration) error {
	c := unixClient(socket)
	c.Timeout = 2 * time.Second
	deadline := time.Now().Add(within)
	var last error
	for time.Now().Before(deadline) {
		select {
		case <-exited:
			return fmt.Errorf("process exited before %s answered /_ping", socket)
		default:
		}
		resp, err := c.Get("http://docker/_ping")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			err = fmt.Errorf("/_ping answered %s", resp.Status)
		}
		last = err
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("%s did not answer /_ping within %s: %v", socket, within, last)
}

// HTTPUpload sends a request with a large body while reading the answer,
// the way a server that answers early is heard: an engine that refuses a body
// (413) after reading part of it and closes must still have its answer read,
// where http.Client would report only the broken pipe of its unfinished write.
func (e *Engine) HTTPUpload(method, path string, header http.Header, body []byte) (HTTPResponse, error) {
	conn, err := net.DialTimeout("unix", e.Socket, 5*time.Second)
	if err != nil {
		return HTTPResponse{}, err
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(30 * time.Second))
	req, err := http.NewRequest(method, "http://docker"+path, bytes.NewReader(body))
	if err != nil {
		return HTTPResponse{}, err
	}
	for k, v := range header {
		req.Header[k] = v
	}
	req.Close = true
	// The write error is expected when the engine stops reading; the answer decides.
	go req.Write(conn)
	resp, err := http.ReadResponse(bufio.NewReader(conn), req)
	if err != nil {
		return HTTPResponse{}, fmt.Errorf("reading the answer to %s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return HTTPResponse{Status: resp.StatusCode, Header: resp.Header, Body: b}, err
}
