package lambda

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"
)

// maxPayload is Lambda's limit on a synchronous response.
const maxPayload = 6 << 20

func jsonMarshal(v any) ([]byte, error) { return json.Marshal(v) }

// runtimeAPI serves the Lambda Runtime API (2018-06-01) to this instance's
// process: it asks for the next event, then posts a response or an error.
func (i *instance) runtimeAPI() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /2018-06-01/runtime/invocation/next", i.serveNext)
	mux.HandleFunc("POST /2018-06-01/runtime/invocation/{id}/response", func(w http.ResponseWriter, r *http.Request) {
		i.serveResult(w, r, false)
	})
	mux.HandleFunc("POST /2018-06-01/runtime/invocation/{id}/error", func(w http.ResponseWriter, r *http.Request) {
		i.serveResult(w, r, true)
	})
	mux.HandleFunc("POST /2018-06-01/runtime/init/error", i.serveInitError)
	return mux
}

func (i *instance) serveNext(w http.ResponseWriter, r *http.Request) {
	i.mu.Lock()
	if i.initDur == 0 {
		i.initDur = time.Since(i.startedAt)
	}
	i.mu.Unlock()
	var inv *invocation
	select {
	case inv = <-i.next:
	case <-r.Context().Done():
		return
	}
	i.mu.Lock()
	i.current = inv
	i.mu.Unlock()
	deadline := time.Now().Add(inv.timeout)
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Lambda-Runtime-Aws-Request-Id", inv.id)
	h.Set("Lambda-Runtime-Deadline-Ms", strconv.FormatInt(deadline.UnixMilli(), 10))
	h.Set("Lambda-Runtime-Invoked-Function-Arn", i.sp.arn)
	h.Set("Lambda-Runtime-Trace-Id", traceID())
	if inv.clientContext != "" {
		h.Set("Lambda-Runtime-Client-Context", inv.clientContext)
	}
	w.WriteHeader(http.StatusOK)
	w.Write(inv.payload)
}

func (i *instance) serveResult(w http.ResponseWriter, r *http.Request, failed bool) {
	id := r.PathValue("id")
	body, err := io.ReadAll(io.LimitReader(r.Body, maxPayload+1))
	if err != nil {
		runtimeError(w, http.StatusBadRequest, "InvalidRequest", err.Error())
		return
	}
	i.mu.Lock()
	inv := i.current
	if inv != nil && inv.id == id {
		i.current = nil
	}
	i.mu.Unlock()
	if inv == nil || inv.id != id {
		runtimeError(w, http.StatusBadRequest, "InvalidRequestID", "Invalid request ID: "+id)
		return
	}
	res := result{payload: body, errored: failed}
	switch {
	case len(body) > maxPayload:
		res = errorResult("Function.ResponseSizeTooLarge", fmt.Sprintf("Response payload size exceeded maximum allowed payload size (%d bytes).", maxPayload))
		w.WriteHeader(http.StatusRequestEntityTooLarge)
	case failed && !json.Valid(body):
		// Runtimes may post any body; the caller always gets JSON.
		res = errorResult(r.Header.Get("Lambda-Runtime-Function-Error-Type"), string(body))
		fallthrough
	default:
		writeBody(w, http.StatusAccepted, []byte(`{"status":"OK"}`))
	}
	inv.done <- res
}

func (i *instance) serveInitError(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, maxPayload))
	if !json.Valid(body) {
		body, _ = json.Marshal(map[string]string{"errorType": r.Header.Get("Lambda-Runtime-Function-Error-Type"), "errorMessage": string(body)})
	}
	i.initOnce.Do(func() {
		i.initErr = body
		close(i.initFailed)
	})
	writeBody(w, http.StatusAccepted, []byte(`{"status":"OK"}`))
}

func runtimeError(w http.ResponseWriter, status int, typ, msg string) {
	b, _ := json.Marshal(map[string]string{"errorType": typ, "errorMessage": msg})
	writeBody(w, status, b)
}

// traceID is an X-Ray trace header as Lambda passes it.
func traceID() string {
	var b [20]byte
	rand.Read(b[:])
	h := hex.EncodeToString(b[:])
	return fmt.Sprintf("Root=1-%08x-%s;Parent=%s;Sampled=0", time.Now().Unix(), h[:24], h[24:40])
}
