package loopback

import (
	"io"
	"net/http"
	"testing"
	"time"
)

func TestCheck(t *testing.T) {
	for _, tc := range []struct {
		name  string
		addr  string
		allow bool
		ok    bool
	}{
		{"IPv4 loopback is allowed", "127.0.0.1:0", false, true},
		{"localhost is allowed", "localhost:0", false, true},
		{"IPv6 loopback is allowed", "[::1]:0", false, true},
		{"every interface is refused", "0.0.0.0:0", false, false},
		{"another host's address is refused", "192.0.2.1:4566", false, false},
		{"the operator may allow any address", "0.0.0.0:0", true, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := Check(tc.addr, tc.allow); (err == nil) != tc.ok {
				t.Errorf("Check(%s, %v) = %v", tc.addr, tc.allow, err)
			}
		})
	}
}

// TestServesUntilClosed proves Start serves the handler on the port and
// Close stops it.
func TestServesUntilClosed(t *testing.T) {
	s, err := Start("127.0.0.1:0", false, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "hi") }))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get(s.URL())
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(b) != "hi" {
		t.Fatalf("served %q", b)
	}
	if err := s.Close(5 * time.Second); err != nil {
		t.Fatal(err)
	}
	if _, err := http.Get(s.URL()); err == nil {
		t.Fatal("still serving after Close")
	}
}

func TestStartRefusesNonLoopback(t *testing.T) {
	if _, err := Start("0.0.0.0:0", false, http.NotFoundHandler()); err == nil {
		t.Fatal("Start listened on every interface without being allowed to")
	}
}

// TestUnencryptedHTTP2 proves the option serves prior-knowledge HTTP/2
// (what a gRPC client dials) and HTTP/1.1 on the same port.
func TestUnencryptedHTTP2(t *testing.T) {
	s, err := Start("127.0.0.1:0", false, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, r.Proto) }), UnencryptedHTTP2())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close(5 * time.Second)
	var h2 http.Protocols
	h2.SetUnencryptedHTTP2(true)
	for _, tc := range []struct {
		name   string
		client *http.Client
		want   string
	}{
		{"HTTP/1.1 client", &http.Client{}, "HTTP/1.1"},
		{"prior-knowledge HTTP/2 client", &http.Client{Transport: &http.Transport{Protocols: &h2}}, "HTTP/2.0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, err := tc.client.Get(s.URL())
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if string(b) != tc.want {
				t.Fatalf("served over %q, want %q", b, tc.want)
			}
		})
	}
}
