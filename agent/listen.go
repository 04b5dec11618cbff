package agent

import (
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/coder/websocket"
)

// ForwardPath is where a forward-mode agent accepts the edge.
const ForwardPath = "/agent/v1/connect"

// readHeaderTimeout bounds a forward-mode request's headers, so a
// connection that never sends them cannot hold a goroutine forever.
const readHeaderTimeout = 10 * time.Second

// listen serves the edge's connections on cfg.Listener until the edge
// acknowledges the main process's exit or ctx ends (forward mode).
func (a *agent) listen() (int, error) {
	srv := &http.Server{Handler: http.HandlerFunc(a.acceptEdge), ReadHeaderTimeout: readHeaderTimeout}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(a.cfg.Listener) }()
	// Close stops accepting; sessions (hijacked, so not Close's) end at
	// the ack or with ctx, both of which close their connection.
	defer srv.Close()
	select {
	case <-a.released:
		return a.exit()
	case <-a.ctx.Done():
		if a.lingering() {
			return a.exit()
		}
		return -1, fmt.Errorf("agent: %w", a.ctx.Err())
	case err := <-served:
		return -1, fmt.Errorf("agent: serving the edge: %w", err)
	}
}

// acceptEdge authenticates the edge by the container's token and serves
// its connection as the current session.
func (a *agent) acceptEdge(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != ForwardPath {
		refuse(w, http.StatusNotFound, "the agent serves only "+ForwardPath)
		return
	}
	token, isBearer := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	// Constant time: the token is the only thing between the network
	// and the container's processes.
	if !isBearer || subtle.ConstantTimeCompare([]byte(token), []byte(a.cfg.Token)) != 1 {
		refuse(w, http.StatusUnauthorized, "the edge must send the container's token as a bearer token")
		return
	}
	if id := r.Header.Get("X-Sockerless-Container"); id != a.cfg.ContainerID {
		refuse(w, http.StatusNotFound, fmt.Sprintf("this agent serves container %s, not %q", a.cfg.ContainerID, id))
		return
	}
	select {
	case <-a.released:
		// The edge recorded the exit and the agent is on its way out: a
		// redial learns that it may stop.
		refuse(w, http.StatusGone, "the main process's exit has been acknowledged")
		return
	default:
	}
	ws, err := websocket.Accept(w, r, nil)
	if err != nil {
		return // Accept has written the HTTP error.
	}
	a.session(ws)
}

func refuse(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"message": msg})
}
