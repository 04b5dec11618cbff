package server

import (
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/sockerless/sockerless/edge/router"
	"github.com/sockerless/sockerless/functions/call"
)

// forwardHeaders are the request headers a function may need; nothing
// else (cookies, proxies' headers) crosses the envelope.
var forwardHeaders = []string{"Content-Type", "X-Registry-Auth", "X-Registry-Config"}

// envelope turns a routed request into a Call. On failure it returns
// the HTTP status to answer with.
func (s *Server) envelope(r *http.Request, m router.Match, version string) (call.Call, int, error) {
	c := call.Call{
		Op:      m.Op,
		Version: version,
		Vars:    m.Vars,
		Query:   r.URL.Query(),
		Header:  http.Header{},
	}
	for _, k := range forwardHeaders {
		if v := r.Header.Values(k); len(v) > 0 {
			c.Header[k] = v
		}
	}
	// One op serves several methods (archive GET, HEAD, PUT); say which.
	c.Header.Set(call.MethodHeader, r.Method)
	if s.cfg.AgentURL != "" {
		c.Header.Set(call.AgentURLHeader, s.cfg.AgentURL)
	}

	limit := s.cfg.MaxJSONBodyBytes
	if m.Body == router.BodyLarge {
		limit = s.cfg.MaxBodyBytes
	}
	body, err := readBody(r.Body, limit)
	if err != nil {
		var tl *tooLarge
		if errors.As(err, &tl) {
			return c, http.StatusRequestEntityTooLarge, err
		}
		return c, http.StatusBadRequest, fmt.Errorf("reading request body: %w", err)
	}
	c.Body = body
	return c, 0, nil
}

type tooLarge struct{ limit int64 }

func (e *tooLarge) Error() string {
	return fmt.Sprintf("request body too large: limit is %d bytes", e.limit)
}

// readBody reads all of body, failing with tooLarge past limit bytes.
func readBody(body io.Reader, limit int64) ([]byte, error) {
	if body == nil || body == http.NoBody {
		return nil, nil
	}
	b, err := io.ReadAll(io.LimitReader(body, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, &tooLarge{limit: limit}
	}
	if len(b) == 0 {
		return nil, nil
	}
	return b, nil
}
