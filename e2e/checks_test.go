package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"sync"

	"github.com/sockerless/sockerless/e2e/harness"
)

// Check is one assertion on a step's result.
type Check struct {
	desc string
	fn   func(s *Session, r harness.Result) error
}

// Out: stdout is exactly want (after placeholder expansion).
func Out(want string) Check {
	return Check{"stdout is " + fmt.Sprintf("%q", want), func(s *Session, r harness.Result) error {
		if w := s.Expand(want); r.Stdout != w {
			return fmt.Errorf("got %q, want %q", r.Stdout, w)
		}
		return nil
	}}
}

// OutEmpty: nothing on stdout.
func OutEmpty() Check { return Out("") }

// OutContains: stdout contains every part.
func OutContains(parts ...string) Check {
	return Check{"stdout contains " + fmt.Sprintf("%q", parts), func(s *Session, r harness.Result) error {
		return containsAll(r.Stdout, s, parts)
	}}
}

// OutLacks: stdout contains none of the parts.
func OutLacks(parts ...string) Check {
	return Check{"stdout lacks " + fmt.Sprintf("%q", parts), func(s *Session, r harness.Result) error {
		for _, p := range parts {
			if strings.Contains(r.Stdout, s.Expand(p)) {
				return fmt.Errorf("%q found", s.Expand(p))
			}
		}
		return nil
	}}
}

// ErrContains: stderr contains every part.
func ErrContains(parts ...string) Check {
	return Check{"stderr contains " + fmt.Sprintf("%q", parts), func(s *Session, r harness.Result) error {
		return containsAll(r.Stderr, s, parts)
	}}
}

// OutMatch: stdout matches the regexp (placeholders expanded and quoted first).
func OutMatch(re string) Check {
	return Check{"stdout matches " + re, func(s *Session, r harness.Result) error {
		return match(re, r.Stdout, s)
	}}
}

// ErrMatch: stderr matches the regexp.
func ErrMatch(re string) Check {
	return Check{"stderr matches " + re, func(s *Session, r harness.Result) error {
		return match(re, r.Stderr, s)
	}}
}

// OutLines: stdout has exactly n non-empty lines.
func OutLines(n int) Check {
	return Check{fmt.Sprintf("stdout has %d lines", n), func(_ *Session, r harness.Result) error {
		if got := len(nonEmptyLines(r.Stdout)); got != n {
			return fmt.Errorf("got %d lines", got)
		}
		return nil
	}}
}

// OutOrder: the parts appear in stdout in this order.
func OutOrder(parts ...string) Check {
	return Check{"stdout has in order " + fmt.Sprintf("%q", parts), func(s *Session, r harness.Result) error {
		rest := r.Stdout
		for _, p := range parts {
			i := strings.Index(rest, s.Expand(p))
			if i < 0 {
				return fmt.Errorf("%q missing (in order) from %q", s.Expand(p), r.Stdout)
			}
			rest = rest[i+len(s.Expand(p)):]
		}
		return nil
	}}
}

// JSON decodes stdout (a docker inspect array or one object) into T and hands
// it to fn, e.g. JSON(func(s *Session, v []container.InspectResponse) error).
func JSON[T any](desc string, fn func(s *Session, v T) error) Check {
	return Check{desc, func(s *Session, r harness.Result) error {
		var v T
		dec := json.NewDecoder(strings.NewReader(r.Stdout))
		if err := dec.Decode(&v); err != nil {
			return fmt.Errorf("decoding %q: %v", r.Stdout, err)
		}
		return fn(s, v)
	}}
}

func containsAll(text string, s *Session, parts []string) error {
	for _, p := range parts {
		if !strings.Contains(text, s.Expand(p)) {
			return fmt.Errorf("%q not in %q", s.Expand(p), text)
		}
	}
	return nil
}

// match expands placeholders in re with their regexp-quoted values.
func match(re, text string, s *Session) error {
	q := &Session{Vars: map[string]string{}}
	for k, v := range s.Vars {
		q.Vars[k] = regexp.QuoteMeta(v)
	}
	rx, err := regexp.Compile(q.Expand(re))
	if err != nil {
		return err
	}
	if !rx.MatchString(text) {
		return fmt.Errorf("%q does not match %s", text, rx)
	}
	return nil
}

func nonEmptyLines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.TrimSpace(l) != "" {
			out = append(out, l)
		}
	}
	return out
}

// syncBuffer is a bytes.Buffer safe for a writer and a reader goroutine.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}
