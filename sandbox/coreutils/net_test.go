package coreutils_test

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestWget(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/missing":
			http.NotFound(w, r)
			return
		case "/moved":
			http.Redirect(w, r, "/x", http.StatusFound)
			return
		case "/chunked":
			// Flushed parts go out chunked: no Content-Length.
			for i := range 3 {
				fmt.Fprintf(w, "part %d\n", i)
				w.(http.Flusher).Flush()
			}
			return
		}
		fmt.Fprintf(w, "body of %s\n", r.URL.Path)
	}))
	defer srv.Close()
	port := srv.Listener.Addr().(*net.TCPAddr).Port
	runCases(t, []caseT{
		{name: "to stdout", script: fmt.Sprintf(`wget -q -O - %s/x`, srv.URL), want: "body of /x\n"},
		{name: "to file", script: fmt.Sprintf(`wget -q -O /got %s/y && cat /got`, srv.URL), want: "body of /y\n"},
		{name: "default name", script: fmt.Sprintf(`cd /tmp 2>/dev/null || mkdir /tmp && cd /tmp; wget -q %s/page.txt && cat page.txt`, srv.URL), want: "body of /page.txt\n"},
		{name: "localhost without scheme", script: fmt.Sprintf(`wget -qO- localhost:%d/z`, port), want: "body of /z\n"},
		{name: "progress on stderr only", script: fmt.Sprintf(`wget -O /f %s/p 2>/dev/null; cat /f`, srv.URL), want: "body of /p\n"},
		{name: "http error", script: fmt.Sprintf(`wget -q -O - %s/missing`, srv.URL), code: 1},
		{name: "redirect followed", script: fmt.Sprintf(`wget -q -O - %s/moved`, srv.URL), want: "body of /x\n"},
		{name: "chunked body", script: fmt.Sprintf(`wget -q -O - %s/chunked`, srv.URL), want: "part 0\npart 1\npart 2\n"},
		{name: "https refused", script: fmt.Sprintf(`wget -q -O - https://127.0.0.1:%d/ 2>&1 | grep -c 'only http://'`, port), want: "1\n"},
		{name: "other host refused", script: `wget -q -O - http://192.0.2.1/`, code: 1},
		{name: "closed port", script: `wget -q -O - http://127.0.0.1:1/`, code: 1},
	})
	out, errOut, code := runLayout(t, false, `wget -q -O - http://192.0.2.1/`, "")
	if code != 1 || out != "" || !strings.Contains(errOut, "only loopback addresses") {
		t.Fatalf("refusal: code %d stdout %q stderr %q", code, out, errOut)
	}
}

func TestNcConnect(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	got := make(chan string, 1)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			b, _ := io.ReadAll(c)
			got <- string(b)
			io.WriteString(c, "pong\n")
			c.Close()
		}
	}()
	port := ln.Addr().(*net.TCPAddr).Port
	out, errOut, code := runLayout(t, false, fmt.Sprintf(`echo ping | nc 127.0.0.1 %d`, port), "")
	if code != 0 || out != "pong\n" {
		t.Fatalf("code %d stdout %q stderr %q", code, out, errOut)
	}
	if s := <-got; s != "ping\n" {
		t.Fatalf("server got %q", s)
	}
	_, errOut, code = runLayout(t, false, `echo x | nc 192.0.2.1 80`, "")
	if code != 1 || !strings.Contains(errOut, "only loopback addresses") {
		t.Fatalf("refusal: code %d stderr %q", code, errOut)
	}
}

func TestNcListen(t *testing.T) {
	probe, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := probe.Addr().(*net.TCPAddr).Port
	probe.Close()
	type result struct {
		out, errOut string
		code        int
	}
	done := make(chan result, 1)
	go func() {
		out, errOut, code := runLayout(t, false, fmt.Sprintf(`echo hello | nc -l -p %d`, port), "")
		done <- result{out, errOut, code}
	}()
	var c net.Conn
	for i := 0; i < 100; i++ {
		if c, err = net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", port)); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		t.Fatal(err)
	}
	io.WriteString(c, "from client\n")
	c.(*net.TCPConn).CloseWrite()
	b, _ := io.ReadAll(c)
	c.Close()
	r := <-done
	if r.code != 0 || r.out != "from client\n" || string(b) != "hello\n" {
		t.Fatalf("code %d stdout %q stderr %q, client read %q", r.code, r.out, r.errOut, b)
	}
}
