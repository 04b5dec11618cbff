// Package router maps Docker Engine API requests to control-plane
// operations. Like moby's api/server/router, each resource keeps its
// route table in its own file; unlike moby, a route names an operation
// (functions/call ops.go) instead of a handler, because the handler is
// the function on the other side of the envelope.
package router

import (
	"fmt"
	"regexp"
	"strings"
)

// Body says how much request body a route may carry.
type Body int

const (
	// BodyJSON is a small JSON document (create, update, exec, ...).
	BodyJSON Body = iota
	// BodyLarge is a tar or image stream: archive PUT, image load and
	// import. It gets the larger limit.
	BodyLarge
)

// Route is one entry of a route table: method and moby-style path
// pattern ("/containers/{name:.*}/json") to operation.
type Route struct {
	Method string
	Path   string
	Op     string
	Body   Body
}

// Match is the outcome of routing one request.
type Match struct {
	Route
	// Version is the API version from the /v{version} prefix, or "" when
	// the path was unversioned.
	Version string
	Vars    map[string]string
}

type compiled struct {
	Route
	re *regexp.Regexp
}

// Router matches requests against the route tables in order; the first
// match wins, as in gorilla/mux, so fixed paths ("/containers/json") are
// listed before patterns that would also match them.
type Router struct {
	routes []compiled
}

// New compiles routes. It panics on a malformed pattern: the tables are
// part of the program.
func New(routes ...[]Route) *Router {
	r := &Router{}
	for _, table := range routes {
		for _, rt := range table {
			r.routes = append(r.routes, compiled{Route: rt, re: compile(rt.Path)})
		}
	}
	return r
}

// Default is the router for every resource Sockerless serves.
func Default() *Router {
	return New(System, Containers, Exec, Images, Volumes, Networks, Build, Swarm)
}

// Match finds the route for method and path. ok is false when nothing
// matches; Docker answers that with 404 "page not found" whatever the
// reason (unknown path or method), and so does the edge.
func (r *Router) Match(method, path string) (m Match, ok bool) {
	for _, c := range r.routes {
		if c.Method != method {
			continue
		}
		sub := c.re.FindStringSubmatch(path)
		if sub == nil {
			continue
		}
		m = Match{Route: c.Route, Vars: map[string]string{}}
		for i, name := range c.re.SubexpNames() {
			switch name {
			case "":
			case "version":
				m.Version = sub[i]
			default:
				m.Vars[name] = sub[i]
			}
		}
		return m, true
	}
	return Match{}, false
}

var varPattern = regexp.MustCompile(`\{([a-z]+)(?::([^}]*))?\}`)

// compile turns a moby route pattern into an anchored regular
// expression with the optional /v{major}.{minor} prefix. A variable
// without its own pattern matches one path segment, as in gorilla/mux.
func compile(path string) *regexp.Regexp {
	var b strings.Builder
	b.WriteString(`^(?:/v(?P<version>[0-9.]+))?`)
	last := 0
	for _, loc := range varPattern.FindAllStringSubmatchIndex(path, -1) {
		b.WriteString(regexp.QuoteMeta(path[last:loc[0]]))
		name := path[loc[2]:loc[3]]
		pat := `[^/]+`
		if loc[4] >= 0 {
			pat = path[loc[4]:loc[5]]
		}
		fmt.Fprintf(&b, `(?P<%s>%s)`, name, pat)
		last = loc[1]
	}
	b.WriteString(regexp.QuoteMeta(path[last:]))
	b.WriteString(`$`)
	return regexp.MustCompile(b.String())
}
