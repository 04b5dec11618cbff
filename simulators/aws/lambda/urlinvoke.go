package lambda

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"mime"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-lambda-go/events"

	"github.com/sockerless/sockerless/simulators/kit/reqid"
)

// ServeURL serves a request to a function URL (URLPathPrefix<url-id>/...):
// it invokes the function with the payload format version 2.0 event and
// maps its answer to the HTTP response as Lambda does. verify checks the
// request's SigV4 signature and returns the caller's access key; it is
// called only for AuthType AWS_IAM.
func (s *Service) ServeURL(w http.ResponseWriter, r *http.Request, body []byte, verify func() (string, error)) {
	rest := strings.TrimPrefix(r.URL.EscapedPath(), URLPathPrefix)
	id, rawPath, _ := strings.Cut(rest, "/")
	rawPath = "/" + rawPath
	region, name, u := s.urlTarget(id)
	if u == nil {
		urlMessage(w, http.StatusNotFound, "awssim: no function URL "+id)
		return
	}
	var accessKey string
	if u.AuthType == "AWS_IAM" {
		k, err := verify()
		if err != nil {
			urlMessage(w, http.StatusForbidden, "Forbidden")
			return
		}
		accessKey = k
	}
	if u.Cors != nil && r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "" {
		preflight(w, r, u.Cors)
		return
	}
	if len(body) > maxPayload {
		urlMessage(w, http.StatusRequestEntityTooLarge, "Request Entity Too Large")
		return
	}
	payload, err := json.Marshal(s.urlEvent(r, id, rawPath, body, accessKey))
	if err != nil {
		writeErr(w, err)
		return
	}
	res, err := s.Invoke(r.Context(), region, name, payload, "")
	if err != nil {
		writeErr(w, err)
		return
	}
	applyCORS(w, r, u.Cors)
	if res.FunctionError != "" {
		urlMessage(w, http.StatusBadGateway, "Internal Server Error")
		return
	}
	writeURLResponse(w, res.Payload)
}

// urlTarget finds the function whose URL is id.
func (s *Service) urlTarget(id string) (region, name string, u *urlConfig) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, f := range s.fns {
		if f.URL != nil && f.URL.ID == id {
			return f.Region, f.Config.FunctionName, f.URL
		}
	}
	return "", "", nil
}

// urlRequest is the payload format version 2.0 request event:
// aws-lambda-go's type plus the fields Lambda sends that it leaves out.
// The outer RequestContext hides the embedded one in the JSON encoding.
type urlRequest struct {
	events.LambdaFunctionURLRequest
	RouteKey       string            `json:"routeKey"`
	RequestContext urlRequestContext `json:"requestContext"`
}

type urlRequestContext struct {
	events.LambdaFunctionURLRequestContext
	RouteKey string `json:"routeKey"`
	Stage    string `json:"stage"`
}

// urlEvent builds the event for a request to the function URL id.
func (s *Service) urlEvent(r *http.Request, id, rawPath string, body []byte, accessKey string) urlRequest {
	now := time.Now().UTC()
	sourceIP, port, _ := net.SplitHostPort(r.RemoteAddr)
	e := events.LambdaFunctionURLRequest{
		Version:        "2.0",
		RawPath:        rawPath,
		RawQueryString: r.URL.RawQuery,
		Headers:        map[string]string{},
		RequestContext: events.LambdaFunctionURLRequestContext{
			AccountID:    "anonymous",
			RequestID:    reqid.New(),
			APIID:        id,
			DomainName:   r.Host,
			DomainPrefix: id,
			Time:         now.Format("02/Jan/2006:15:04:05 -0700"),
			TimeEpoch:    now.UnixMilli(),
			HTTP: events.LambdaFunctionURLRequestContextHTTPDescription{
				Method:    r.Method,
				Path:      rawPath,
				Protocol:  r.Proto,
				SourceIP:  sourceIP,
				UserAgent: r.UserAgent(),
			},
		},
	}
	for k, v := range r.Header {
		k = strings.ToLower(k)
		if k == "cookie" {
			for _, c := range v {
				for _, part := range strings.Split(c, ";") {
					if part = strings.TrimSpace(part); part != "" {
						e.Cookies = append(e.Cookies, part)
					}
				}
			}
			continue
		}
		e.Headers[k] = strings.Join(v, ",")
	}
	e.Headers["host"] = r.Host
	e.Headers["x-forwarded-for"] = sourceIP
	e.Headers["x-forwarded-proto"] = "http"
	e.Headers["x-forwarded-port"] = port
	if q := r.URL.Query(); len(q) > 0 {
		e.QueryStringParameters = map[string]string{}
		for k, v := range q {
			e.QueryStringParameters[k] = strings.Join(v, ",")
		}
	}
	if accessKey != "" {
		e.RequestContext.AccountID = s.opts.AccountID
		e.RequestContext.Authorizer = &events.LambdaFunctionURLRequestContextAuthorizerDescription{
			IAM: &events.LambdaFunctionURLRequestContextAuthorizerIAMDescription{
				AccessKey: accessKey,
				AccountID: s.opts.AccountID,
				CallerID:  accessKey,
				UserARN:   "arn:aws:iam::" + s.opts.AccountID + ":root",
				UserID:    accessKey,
			},
		}
	}
	if len(body) > 0 {
		if isText(r.Header.Get("Content-Type"), body) {
			e.Body = string(body)
		} else {
			e.Body = base64.StdEncoding.EncodeToString(body)
			e.IsBase64Encoded = true
		}
	}
	return urlRequest{
		LambdaFunctionURLRequest: e,
		RouteKey:                 "$default",
		RequestContext:           urlRequestContext{e.RequestContext, "$default", "$default"},
	}
}

// isText says whether Lambda passes a body as it is rather than base64:
// textual media types, and (awssim's guess) untyped UTF-8.
func isText(contentType string, body []byte) bool {
	if contentType == "" {
		return utf8.Valid(body)
	}
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return false
	}
	return strings.HasPrefix(mt, "text/") || strings.HasSuffix(mt, "+json") || strings.HasSuffix(mt, "+xml") ||
		slices.Contains([]string{"application/json", "application/xml", "application/javascript", "application/x-www-form-urlencoded", "application/graphql"}, mt)
}

// writeURLResponse maps a function's answer: an object with statusCode is
// the full response; any other JSON is a 200 application/json body.
func writeURLResponse(w http.ResponseWriter, payload []byte) {
	var probe map[string]json.RawMessage
	if json.Unmarshal(payload, &probe) != nil || probe["statusCode"] == nil {
		if !json.Valid(payload) {
			urlMessage(w, http.StatusBadGateway, "Internal Server Error")
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		w.Write(payload)
		return
	}
	var resp struct {
		StatusCode      int               `json:"statusCode"`
		Headers         map[string]string `json:"headers"`
		Body            string            `json:"body"`
		IsBase64Encoded bool              `json:"isBase64Encoded"`
		Cookies         []string          `json:"cookies"`
	}
	if err := json.Unmarshal(payload, &resp); err != nil || resp.StatusCode < 100 || resp.StatusCode > 599 {
		urlMessage(w, http.StatusBadGateway, "Internal Server Error")
		return
	}
	body := []byte(resp.Body)
	if resp.IsBase64Encoded {
		b, err := base64.StdEncoding.DecodeString(resp.Body)
		if err != nil {
			urlMessage(w, http.StatusBadGateway, "Internal Server Error")
			return
		}
		body = b
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	for k, v := range resp.Headers {
		h.Set(k, v)
	}
	for _, c := range resp.Cookies {
		h.Add("Set-Cookie", c)
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(resp.StatusCode)
	w.Write(body)
}

// urlMessage is the {"Message": ...} body Lambda's URL front end answers
// with when it does not pass the function's response on.
func urlMessage(w http.ResponseWriter, status int, msg string) {
	b, _ := json.Marshal(map[string]string{"Message": msg})
	writeBody(w, status, b)
}

// allowedOrigin is the Access-Control-Allow-Origin value for origin, or ""
// when the configuration does not allow it.
func allowedOrigin(c *cors, origin string) string {
	if c == nil || origin == "" {
		return ""
	}
	for _, o := range c.AllowOrigins {
		if o == "*" {
			return "*"
		}
		if strings.EqualFold(o, origin) {
			return origin
		}
	}
	return ""
}

func applyCORS(w http.ResponseWriter, r *http.Request, c *cors) {
	origin := allowedOrigin(c, r.Header.Get("Origin"))
	if origin == "" {
		return
	}
	h := w.Header()
	h.Set("Access-Control-Allow-Origin", origin)
	if c.AllowCredentials {
		h.Set("Access-Control-Allow-Credentials", "true")
	}
	if len(c.ExposeHeaders) > 0 {
		h.Set("Access-Control-Expose-Headers", strings.Join(c.ExposeHeaders, ","))
	}
	h.Add("Vary", "Origin")
}

// preflight answers a CORS preflight from the configuration alone, without
// invoking the function, as Lambda does.
func preflight(w http.ResponseWriter, r *http.Request, c *cors) {
	applyCORS(w, r, c)
	h := w.Header()
	if allowedOrigin(c, r.Header.Get("Origin")) != "" {
		if len(c.AllowMethods) > 0 {
			h.Set("Access-Control-Allow-Methods", strings.Join(c.AllowMethods, ","))
		}
		if len(c.AllowHeaders) > 0 {
			h.Set("Access-Control-Allow-Headers", strings.Join(c.AllowHeaders, ","))
		}
		if c.MaxAge > 0 {
			h.Set("Access-Control-Max-Age", fmt.Sprint(c.MaxAge))
		}
	}
	w.WriteHeader(http.StatusOK)
}
