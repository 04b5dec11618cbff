// Package gcfinvoke carries call.Calls to a control-plane function
// deployed as a Cloud Run function (gcphost's HTTP function): each call
// is a POST of the call package's JSON to the function's HTTPS URL with
// an ID token whose audience is that URL, as Cloud Run's invoker check
// wants. The token comes from Application Default Credentials through
// google.golang.org/api/idtoken (a service account key, or the metadata
// server: GCE_METADATA_HOST names the simulator's).
package gcfinvoke

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"

	"google.golang.org/api/idtoken"

	"github.com/sockerless/sockerless/functions/call"
)

// MaxPayload is Cloud Run's limit on an HTTP/1 request body (32 MiB). A
// Call whose JSON is larger cannot travel inline.
const MaxPayload = 32 * 1024 * 1024

// maxReply bounds what is read of an answer: Cloud Run's response
// limit, with room for a reply's JSON.
const maxReply = 64 * 1024 * 1024

// Handler is a call.Handler that runs each Call in a Cloud Run function.
type Handler struct {
	client *http.Client
	url    string
}

// New returns a Handler posting to the function at url with client,
// which must add the caller's credentials (idtoken.NewClient's does).
func New(client *http.Client, url string) *Handler {
	return &Handler{client: client, url: url}
}

// Dial returns a Handler for the function at functionURL (the Terraform
// module's output, https://…run.app or …cloudfunctions.net), with ID
// tokens for that URL from Application Default Credentials.
func Dial(ctx context.Context, functionURL string) (*Handler, error) {
	u, err := url.Parse(functionURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("the function %q is not an http(s) URL: the gcp transport posts to the function's URL", functionURL)
	}
	// The audience Cloud Run checks is the service's URL, without path.
	audience := u.Scheme + "://" + u.Host
	client, err := idtoken.NewClient(ctx, audience)
	if err != nil {
		return nil, fmt.Errorf("ID tokens for %s from Application Default Credentials (a service account key in GOOGLE_APPLICATION_CREDENTIALS, or the metadata server): %w", audience, err)
	}
	return New(client, functionURL), nil
}

// Handle posts c to the function and returns its Reply. Failures to
// reach or run the function become 502 Replies, since the edge is a
// gateway in front of the function; calls too large to post are 413.
func (h *Handler) Handle(ctx context.Context, c call.Call) call.Reply {
	payload, fits, err := call.Payload(c, MaxPayload)
	if err != nil {
		return call.ErrorReply(http.StatusInternalServerError, fmt.Sprintf("encode call %s for function %s: %v", c.Op, h.url, err))
	}
	if !fits {
		return call.ErrorReply(http.StatusRequestEntityTooLarge, fmt.Sprintf(
			"%s: request of %d bytes exceeds the %d-byte Cloud Run request limit of function %s; only archive uploads to running containers (docker cp) travel around it, streamed by the edge to the container's agent",
			c.Op, len(payload), MaxPayload, h.url))
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, h.url, bytes.NewReader(payload))
	if err != nil {
		return call.ErrorReply(http.StatusInternalServerError, fmt.Sprintf("call %s on function %s: %v", c.Op, h.url, err))
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := h.client.Do(req)
	if err != nil {
		return call.ErrorReply(http.StatusBadGateway, fmt.Sprintf("post %s to function %s: %v", c.Op, h.url, err))
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxReply))
	if err != nil {
		return call.ErrorReply(http.StatusBadGateway, fmt.Sprintf("read function %s's answer to %s: %v", h.url, c.Op, err))
	}
	if resp.StatusCode != http.StatusOK {
		return call.ErrorReply(http.StatusBadGateway, fmt.Sprintf("function %s answered %s with HTTP %s: %s", h.url, c.Op, resp.Status, errorMessage(body)))
	}
	var rep call.Reply
	if err := json.Unmarshal(body, &rep); err != nil {
		return call.ErrorReply(http.StatusBadGateway, fmt.Sprintf("function %s answered %s with an invalid reply: %v", h.url, c.Op, err))
	}
	if rep.Status == 0 {
		return call.ErrorReply(http.StatusBadGateway, fmt.Sprintf("function %s answered %s without a status", h.url, c.Op))
	}
	return rep
}

// errorMessage is the message of a Docker-shaped error body (what
// gcphost answers a bad request with), or the body itself (Cloud Run's
// own pages: 403 for a caller without the invoker role, 503, 429).
func errorMessage(body []byte) string {
	var e struct{ Message string }
	if json.Unmarshal(body, &e) == nil && e.Message != "" {
		return e.Message
	}
	if len(body) > 512 {
		body = append(body[:512:512], "…"...)
	}
	return string(bytes.TrimSpace(body))
}
