package server

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/otel/trace"

	"github.com/sockerless/sockerless/edge/calllog"
	"github.com/sockerless/sockerless/functions/call"
)

// statusWriter keeps the status a request was answered with, and the
// start of an error body, for the request's log line. Unwrap lets
// http.ResponseController (flush, hijack) reach the connection.
type statusWriter struct {
	http.ResponseWriter
	status  int
	errBody []byte
}

// errBodyMax bounds how much of an error body the log line keeps.
const errBodyMax = 1024

func (w *statusWriter) WriteHeader(status int) {
	if w.status == 0 {
		w.status = status
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w *statusWriter) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	if w.status >= 500 && len(w.errBody) < errBodyMax {
		w.errBody = append(w.errBody, p[:min(len(p), errBodyMax-len(w.errBody))]...)
	}
	return w.ResponseWriter.Write(p)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// countingWriter counts what a stream writes to its response into n;
// Unwrap lets http.ResponseController reach the connection.
type countingWriter struct {
	http.ResponseWriter
	n *atomic.Int64
}

func (w *countingWriter) Write(p []byte) (int, error) {
	n, err := w.ResponseWriter.Write(p)
	w.n.Add(int64(n))
	return n, err
}

func (w *countingWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// exchange is what the request's log line says about it.
type exchange struct {
	start  time.Time
	req    *calllog.Request
	method string
	op     string
	ref    string
	// status is the function's, when the edge hijacked the connection
	// and wrote its answer straight to it.
	status int
	// span is the request's, when tracing is on.
	span trace.Span
}

// logRequest writes the request's one line: at info, or as an error
// with its cause when the answer was 500 or more.
func (s *Server) logRequest(ctx context.Context, w *statusWriter, x *exchange) {
	status := w.status
	if status == 0 {
		status = x.status
	}
	if x.span != nil {
		calllog.EndSpan(x.span, status, w.errBody)
	}
	s.cfg.Metrics.Request(x.op, status, time.Since(x.start), x.req.Calls())
	level := slog.LevelInfo
	if status >= 500 {
		level = slog.LevelError
	}
	if !s.cfg.Log.Enabled(ctx, level) {
		return
	}
	attrs := []slog.Attr{
		slog.String("req", x.req.ID), slog.String("method", x.method), slog.String("op", x.op),
		slog.Int("status", status), slog.Duration("dur", time.Since(x.start)), slog.Int("calls", x.req.Calls()),
	}
	if x.ref != "" {
		attrs = append(attrs, slog.String("ref", x.ref))
	}
	if status >= 500 {
		attrs = append(attrs, slog.String("err", call.ErrorMessage(w.errBody)))
	}
	s.cfg.Log.LogAttrs(ctx, level, "request", attrs...)
}

// createdRef is the id of the container or exec a create call made, for
// the log line: its path names none yet.
func createdRef(op string, rep call.Reply) string {
	if (op != call.OpContainerCreate && op != call.OpExecCreate) || rep.Status != http.StatusCreated {
		return ""
	}
	var created struct{ Id string }
	if json.Unmarshal(rep.Body, &created) != nil {
		return ""
	}
	return created.Id
}
