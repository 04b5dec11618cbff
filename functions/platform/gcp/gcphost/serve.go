package gcphost

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"

	"github.com/GoogleCloudPlatform/functions-framework-go/funcframework"
	"github.com/GoogleCloudPlatform/functions-framework-go/functions"

	"github.com/sockerless/sockerless/functions/call"
	"github.com/sockerless/sockerless/functions/host"
)

// Target is the function's entry point name (FUNCTION_TARGET, and the
// Terraform module's entry_point).
const Target = "Sockerless"

// MaxRequest is Cloud Run's limit on an HTTP/1 request body (32 MiB). A
// call whose JSON is larger cannot reach the function.
const MaxRequest = 32 * 1024 * 1024

// Serve is the Cloud Run functions invocation adapter: the control plane
// as an HTTP function built on functions-framework-go, listening on
// $PORT (8080 unless set). On the platform (K_SERVICE set) it listens on
// every interface, as Cloud Run's container contract requires; anywhere
// else on loopback only.
func Serve(h call.Handler) {
	functions.HTTP(Target, Handler(h))
	if os.Getenv("FUNCTION_TARGET") == "" {
		// Serve this function at "/", whatever else is registered.
		os.Setenv("FUNCTION_TARGET", Target)
	}
	port := os.Getenv("PORT")
	if port == "" {
		port = "8080"
	}
	hostname := "127.0.0.1"
	if os.Getenv("K_SERVICE") != "" {
		hostname = ""
	}
	err := funcframework.StartHostPort(hostname, port)
	slog.Error("sockerless function stopped serving", "addr", net.JoinHostPort(hostname, port), "err", err)
	os.Exit(1)
}

// Handler serves the envelope over HTTP: a POST whose body is a
// call.Call's JSON, answered 200 with the call.Reply's JSON (the Docker
// status travels inside the Reply). A request that is not a call gets
// the HTTP status that says so and a Docker-shaped error body, for the
// edge to pass on. Cloud Run has checked the caller's ID token (the
// invoker role) before the request reaches it.
func Handler(h call.Handler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			writeError(w, http.StatusMethodNotAllowed, fmt.Sprintf("the sockerless function takes a call as a POST, not %s", r.Method))
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxRequest))
		if tooLarge := (*http.MaxBytesError)(nil); errors.As(err, &tooLarge) {
			writeError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("the call is over the %d-byte request limit", MaxRequest))
			return
		}
		if err != nil {
			writeError(w, http.StatusBadRequest, fmt.Sprintf("read the call: %v", err))
			return
		}
		var c call.Call
		if err := json.Unmarshal(body, &c); err != nil || c.Op == "" {
			writeError(w, http.StatusBadRequest, fmt.Sprintf("the request body is not a sockerless call (JSON with an op): %v", err))
			return
		}
		ctx := r.Context()
		if id := r.Header.Get("Function-Execution-Id"); id != "" {
			// The id the platform's request log carries.
			ctx = host.WithInvocation(ctx, slog.String("execution_id", id))
		}
		out, err := json.Marshal(h.Handle(ctx, c))
		if err != nil {
			writeError(w, http.StatusInternalServerError, fmt.Sprintf("encode the reply to %s: %v", c.Op, err))
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(out)
	}
}

// writeError answers with status and Docker's error body.
func writeError(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"message": msg})
}
