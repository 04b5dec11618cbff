package streams

import (
	"context"
	"io"
	"net/http"

	"github.com/coder/websocket"

	"github.com/sockerless/sockerless/edge/apiversion"
	"github.com/sockerless/sockerless/edge/calllog"
	"github.com/sockerless/sockerless/functions/call"
)

// serveAttachWS bridges GET /containers/{id}/attach/ws: the same attach
// over a WebSocket, as browsers use it. Output is never multiplexed;
// from API 1.42 it travels in binary messages, before in text ones, as
// dockerd does. Cross-origin requests are refused (the library's
// default): a web page must not drive the Docker API.
func (e *Env) serveAttachWS(w http.ResponseWriter, r *http.Request, c call.Call, rep call.Reply) {
	st := rep.Stream
	ws, err := websocket.Accept(w, r, nil)
	if err != nil {
		return // Accept has answered the client.
	}
	msgType := websocket.MessageBinary
	if apiversion.Less(c.Version, "1.42") {
		msgType = websocket.MessageText
	}
	ctx, cancel := context.WithCancel(calllog.Carry(e.Background, r.Context()))
	defer cancel()
	conn := websocket.NetConn(ctx, ws, msgType)
	defer conn.Close()

	out := &lockedWriter{w: conn}
	if len(rep.Body) > 0 {
		if _, err := out.Write(rep.Body); err != nil {
			return
		}
	}
	var stdin io.Reader
	if st.Stdin {
		stdin = conn
	}
	var stdout, stderr io.Writer = io.Discard, io.Discard
	if st.Stdout {
		stdout = out
	}
	if st.Stderr {
		stderr = out
	}
	if err := e.Hub.Attach(ctx, st.Container, stdin, stdout, stderr); err != nil && ctx.Err() == nil {
		e.Log.Warn("websocket attach ended with an error", "container", st.Container, "err", err)
		_ = ws.Close(websocket.StatusInternalError, truncate(err.Error(), 120))
		return
	}
	_ = ws.Close(websocket.StatusNormalClosure, "")
}

// truncate keeps a close reason within the 123 bytes a close frame
// allows.
func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}
