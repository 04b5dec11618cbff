package lambda

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// PathPrefix is where Lambda's REST-JSON API lives; the server routes
// requests under it to Handle.
const PathPrefix = "/2015-03-31/functions"

// Handle serves one Lambda API request whose signature the server has
// verified; region is the signature's scope and body the full request.
func (s *Service) Handle(w http.ResponseWriter, r *http.Request, region string, body []byte) {
	if s.serveSideAPI(w, r, region, body) {
		return
	}
	rest, urlAPI := strings.CutPrefix(r.URL.EscapedPath(), URLAPIPrefix)
	if !urlAPI {
		rest = strings.TrimPrefix(rest, PathPrefix)
	}
	rest = strings.Trim(rest, "/")
	var parts []string
	if rest != "" {
		parts = strings.Split(rest, "/")
	}
	for i, p := range parts {
		u, err := url.PathUnescape(p)
		if err != nil {
			writeErr(w, invalidParam("bad path segment %q", p))
			return
		}
		parts[i] = u
	}
	if urlAPI {
		s.handleURLAPI(w, r, region, parts, body)
		return
	}
	op := r.Method
	if len(parts) > 1 {
		op += " " + parts[1]
	} else if len(parts) == 1 {
		op += " {name}"
	}
	if len(parts) > 2 {
		op = "unknown"
	}
	var name string
	if len(parts) > 0 {
		name = parts[0]
		if q := r.URL.Query().Get("Qualifier"); q != "" {
			name += ":" + q
		}
	}
	switch op {
	case "POST":
		var in createInput
		if decode(w, body, &in) {
			s.reply(w, http.StatusCreated, func() (any, error) { return s.create(r.Context(), region, in) })
		}
	case "GET":
		s.reply(w, http.StatusOK, func() (any, error) { return s.listPage(region, r.URL.Query()) })
	case "GET {name}":
		s.reply(w, http.StatusOK, func() (any, error) { return s.getFunctionTagged(region, name) })
	case "DELETE {name}":
		if err := s.delete(region, name); err != nil {
			writeErr(w, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	case "GET configuration":
		s.reply(w, http.StatusOK, func() (any, error) { return s.get(region, name) })
	case "PUT configuration":
		var in updateConfigInput
		if decode(w, body, &in) {
			s.reply(w, http.StatusOK, func() (any, error) { return s.updateConfig(region, name, in) })
		}
	case "PUT code":
		var in updateCodeInput
		if decode(w, body, &in) {
			s.reply(w, http.StatusOK, func() (any, error) { return s.updateCode(r.Context(), region, name, in) })
		}
	case "POST invocations":
		s.serveInvoke(w, r, region, name, body)
	case "GET versions":
		s.reply(w, http.StatusOK, func() (any, error) { return s.listVersions(region, name, r.URL.Query()) })
	default:
		writeErr(w, &apiError{Status: http.StatusNotFound, Code: "UnknownOperationException", Message: "awssim: " + r.Method + " " + r.URL.Path + " is not a simulated Lambda operation"})
	}
}

func decode(w http.ResponseWriter, body []byte, v any) bool {
	if len(body) == 0 {
		body = []byte("{}")
	}
	if err := json.Unmarshal(body, v); err != nil {
		writeErr(w, &apiError{Status: http.StatusBadRequest, Code: "SerializationException", Message: err.Error()})
		return false
	}
	return true
}

func (s *Service) reply(w http.ResponseWriter, status int, do func() (any, error)) {
	v, err := do()
	if err != nil {
		writeErr(w, err)
		return
	}
	b, err := json.Marshal(v)
	if err != nil {
		writeErr(w, err)
		return
	}
	writeBody(w, status, b)
}

// listPage is ListFunctions: sorted by name, Marker is the name to resume
// from.
func (s *Service) listPage(region string, q url.Values) (any, error) {
	max := 50
	if v := q.Get("MaxItems"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 10000 {
			return nil, validation(v, "maxItems", "Member must have value between 1 and 10000")
		}
		max = min(n, 50)
	}
	all := s.list(region)
	start := 0
	if m := q.Get("Marker"); m != "" {
		for start < len(all) && all[start].FunctionName < m {
			start++
		}
	}
	out := map[string]any{"Functions": []Configuration{}}
	if start < len(all) {
		end := min(start+max, len(all))
		out["Functions"] = all[start:end]
		if end < len(all) {
			out["NextMarker"] = all[end].FunctionName
		}
	}
	return out, nil
}

func (s *Service) serveInvoke(w http.ResponseWriter, r *http.Request, region, name string, body []byte) {
	if len(body) == 0 {
		body = []byte("{}")
	}
	if len(body) > maxPayload {
		writeErr(w, &apiError{Status: http.StatusRequestEntityTooLarge, Code: "RequestTooLargeException", Message: fmt.Sprintf("Request must be smaller than %d bytes for the Invoke operation", maxPayload)})
		return
	}
	if !json.Valid(body) {
		writeErr(w, &apiError{Status: http.StatusBadRequest, Code: "InvalidRequestContentException", Message: "Could not parse request body into json: Unexpected character"})
		return
	}
	switch typ := r.Header.Get("X-Amz-Invocation-Type"); typ {
	case "", "RequestResponse":
	case "Event":
		if err := s.InvokeAsync(region, name, body); err != nil {
			writeErr(w, err)
			return
		}
		w.WriteHeader(http.StatusAccepted)
		return
	case "DryRun":
		if _, err := s.get(region, name); err != nil {
			writeErr(w, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
		return
	default:
		writeErr(w, invalidParam("Invalid InvocationType: %s", typ))
		return
	}
	var clientContext string
	if cc := r.Header.Get("X-Amz-Client-Context"); cc != "" {
		b, err := base64.StdEncoding.DecodeString(cc)
		if err != nil || !json.Valid(b) {
			writeErr(w, invalidParam("Client context must be a valid Base64-encoded JSON object."))
			return
		}
		clientContext = string(b)
	}
	res, err := s.Invoke(r.Context(), region, name, body, clientContext)
	if err != nil {
		writeErr(w, err)
		return
	}
	h := w.Header()
	h.Set("X-Amz-Executed-Version", "$LATEST")
	if res.FunctionError != "" {
		h.Set("X-Amz-Function-Error", res.FunctionError)
	}
	if r.Header.Get("X-Amz-Log-Type") == "Tail" {
		h.Set("X-Amz-Log-Result", res.Tail())
	}
	writeBody(w, http.StatusOK, res.Payload)
}
