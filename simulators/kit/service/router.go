package service

import (
	"io"
	"net/http"
)

// Route is one service's claim on requests to the simulator's port.
type Route struct {
	// Name says which service this is, for errors and logs.
	Name string
	// Stream routes are matched before the body is read and get it
	// unread (a registry's layer uploads); Match then sees a nil body.
	Stream bool
	// Match reports whether a request is this service's.
	Match func(r *http.Request, body []byte) bool
	// Serve answers the request; body is the request's body, read up to
	// the router's limit (nil for Stream routes).
	Serve func(w http.ResponseWriter, r *http.Request, body []byte)
}

// Router sends each request to the first registered Route that matches
// it: Stream routes first, then the others in the order registered.
type Router struct {
	// MaxBody is the most of a body read for a non-stream route.
	MaxBody int64
	// NotFound answers a request no route claims.
	NotFound func(w http.ResponseWriter, r *http.Request, body []byte)
	routes   []Route
}

// Register adds routes after those already registered.
func (t *Router) Register(routes ...Route) { t.routes = append(t.routes, routes...) }

// ServeHTTP routes one request.
func (t *Router) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	for _, rt := range t.routes {
		if rt.Stream && rt.Match(r, nil) {
			rt.Serve(w, r, nil)
			return
		}
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, t.MaxBody))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	for _, rt := range t.routes {
		if !rt.Stream && rt.Match(r, body) {
			rt.Serve(w, r, body)
			return
		}
	}
	t.NotFound(w, r, body)
}
