package service

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// answer is a route that claims requests whose path starts with prefix and
// answers with its name and the body it was given.
func answer(name, prefix string, stream bool) Route {
	return Route{
		Name:   name,
		Stream: stream,
		Match:  func(r *http.Request, _ []byte) bool { return strings.HasPrefix(r.URL.Path, prefix) },
		Serve: func(w http.ResponseWriter, r *http.Request, body []byte) {
			if stream {
				body, _ = io.ReadAll(r.Body)
			}
			io.WriteString(w, name+":"+string(body))
		},
	}
}

func TestRouter(t *testing.T) {
	rt := &Router{MaxBody: 4, NotFound: func(w http.ResponseWriter, _ *http.Request, body []byte) {
		w.WriteHeader(http.StatusNotFound)
		io.WriteString(w, "none:"+string(body))
	}}
	rt.Register(answer("first", "/a", false), answer("second", "/ab", false), answer("registry", "/v2", true))
	// A body-matching route: claims any request whose body says "q".
	rt.Register(Route{Name: "query", Match: func(_ *http.Request, body []byte) bool { return string(body) == "q" },
		Serve: func(w http.ResponseWriter, _ *http.Request, _ []byte) { io.WriteString(w, "query") }})
	cases := []struct {
		name, path, body, want string
		status                 int
	}{
		{"the first registered route that matches wins", "/ab", "x", "first:x", 200},
		{"a stream route gets the whole body unread", "/v2/blobs", "0123456789", "registry:0123456789", 200},
		{"other routes get the body up to MaxBody", "/a", "0123456789", "first:0123", 200},
		{"a route can match on the body", "/z", "q", "query", 200},
		{"a request no route claims goes to NotFound", "/z", "y", "none:y", 404},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := httptest.NewRecorder()
			rt.ServeHTTP(w, httptest.NewRequest(http.MethodPost, c.path, strings.NewReader(c.body)))
			if w.Code != c.status || w.Body.String() != c.want {
				t.Fatalf("got %d %q, want %d %q", w.Code, w.Body.String(), c.status, c.want)
			}
		})
	}
}

func TestBaseDefaults(t *testing.T) {
	b := Base{}.Defaults("000000000000")
	if b.AccountID != "000000000000" || b.Now == nil {
		t.Fatalf("Defaults left %+v", b)
	}
	if got := (Base{AccountID: "111122223333"}).Defaults("000000000000"); got.AccountID != "111122223333" {
		t.Fatalf("Defaults replaced a given account: %+v", got)
	}
}
