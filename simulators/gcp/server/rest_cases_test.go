package server

import (
	"errors"
	"net/http"
	"strings"
	"testing"

	"google.golang.org/api/iterator"
)

// restCase is a plain REST request and the status and body text the
// answer must have.
type restCase struct {
	name, method, url, body string
	status                  int
	want                    string
}

// runRESTCases sends each case's request as JSON, a subtest each.
func runRESTCases(t *testing.T, cases []restCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req, _ := http.NewRequest(c.method, c.url, strings.NewReader(c.body))
			req.Header.Set("Content-Type", "application/json")
			code, body := do(t, req)
			if code != c.status || !strings.Contains(body, c.want) {
				t.Fatalf("got %d %s, want %d with %s", code, body, c.status, c.want)
			}
		})
	}
}

// all drains an SDK list iterator.
func all[T any](t testing.TB, it interface{ Next() (T, error) }) []T {
	t.Helper()
	var out []T
	for {
		x, err := it.Next()
		if errors.Is(err, iterator.Done) {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, x)
	}
}
