// Package sigv4 verifies AWS Signature Version 4 on requests received by the
// simulator. It recomputes the signature from the headers the client says it
// signed, so any SigV4 client (SDKs, the CLI, Terraform) is accepted as long
// as it signed with a configured secret.
package sigv4

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"
)

const algorithm = "AWS4-HMAC-SHA256"

// Why a request failed verification. Services map these onto their own
// error shapes (DynamoDB's JSON __type, STS's XML Code).
var (
	ErrMissing        = errors.New("sigv4: request is missing Authentication Token")
	ErrMalformed      = errors.New("sigv4: malformed Authorization header")
	ErrUnknownKey     = errors.New("sigv4: the security token included in the request is invalid")
	ErrSignature      = errors.New("sigv4: signature does not match")
	ErrExpired        = errors.New("sigv4: signature expired")
	ErrUnsupportedAlg = errors.New("sigv4: unsupported signing algorithm")
)

// Scope is what a verified signature tells the server about a request.
type Scope struct {
	AccessKeyID string
	Date        string // yyyymmdd
	Region      string
	Service     string
}

// MaxSkew is how far a request's X-Amz-Date may be from the server clock,
// as AWS allows.
const MaxSkew = 15 * time.Minute

// Verifier checks signatures against a fixed set of access key → secret.
type Verifier struct {
	secrets map[string]string
	// Now is the clock requests are checked against; tests may replace it.
	Now func() time.Time
}

// NewVerifier returns a Verifier for the given access key id → secret map.
func NewVerifier(secrets map[string]string) *Verifier {
	m := make(map[string]string, len(secrets))
	for k, v := range secrets {
		m[k] = v
	}
	return &Verifier{secrets: m, Now: time.Now}
}

// ParseScope reads the credential scope from the Authorization header without
// checking the signature; routing needs the service name before verification.
func ParseScope(r *http.Request) (Scope, error) {
	a, err := parseAuthorization(r.Header.Get("Authorization"))
	if err != nil {
		return Scope{}, err
	}
	return a.scope, nil
}

// Verify checks r's Authorization header against body (the full request
// payload, already read by the caller).
func (v *Verifier) Verify(r *http.Request, body []byte) (Scope, error) {
	a, err := parseAuthorization(r.Header.Get("Authorization"))
	if err != nil {
		return Scope{}, err
	}
	secret, ok := v.secrets[a.scope.AccessKeyID]
	if !ok {
		return a.scope, ErrUnknownKey
	}
	amzDate := r.Header.Get("X-Amz-Date")
	if amzDate == "" {
		amzDate = r.Header.Get("Date")
	}
	if at, err := time.Parse("20060102T150405Z", amzDate); err != nil || at.Format("20060102") != a.scope.Date {
		return a.scope, fmt.Errorf("%w: X-Amz-Date %q does not match the credential scope", ErrMalformed, amzDate)
	} else if d := v.Now().Sub(at); d > MaxSkew || d < -MaxSkew {
		return a.scope, ErrExpired
	}
	bodySum := sha256.Sum256(body)
	payloadHash := hex.EncodeToString(bodySum[:])
	if h := r.Header.Get("X-Amz-Content-Sha256"); h != "" {
		// A declared hash is what the client signed; if it claims a hash,
		// it must be the body's, or the body was altered in flight.
		if h != "UNSIGNED-PAYLOAD" && h != payloadHash {
			return a.scope, ErrSignature
		}
		payloadHash = h
	}
	canonical := strings.Join([]string{
		r.Method,
		canonicalURI(r.URL, a.scope.Service),
		canonicalQuery(r.URL.Query()),
		canonicalHeaders(r, a.signedHeaders),
		strings.Join(a.signedHeaders, ";"),
		payloadHash,
	}, "\n")
	sum := sha256.Sum256([]byte(canonical))
	credScope := strings.Join([]string{a.scope.Date, a.scope.Region, a.scope.Service, "aws4_request"}, "/")
	toSign := strings.Join([]string{algorithm, amzDate, credScope, hex.EncodeToString(sum[:])}, "\n")
	key := hmacSHA256([]byte("AWS4"+secret), a.scope.Date)
	key = hmacSHA256(key, a.scope.Region)
	key = hmacSHA256(key, a.scope.Service)
	key = hmacSHA256(key, "aws4_request")
	want := hex.EncodeToString(hmacSHA256(key, toSign))
	if !hmac.Equal([]byte(want), []byte(a.signature)) {
		return a.scope, ErrSignature
	}
	return a.scope, nil
}

type authorization struct {
	scope         Scope
	signedHeaders []string
	signature     string
}

// parseAuthorization parses
// "AWS4-HMAC-SHA256 Credential=AK/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=a;b, Signature=hex".
func parseAuthorization(h string) (authorization, error) {
	if h == "" {
		return authorization{}, ErrMissing
	}
	alg, rest, ok := strings.Cut(h, " ")
	if !ok {
		return authorization{}, ErrMalformed
	}
	if alg != algorithm {
		return authorization{}, ErrUnsupportedAlg
	}
	var a authorization
	for _, part := range strings.Split(rest, ",") {
		k, val, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return authorization{}, ErrMalformed
		}
		switch k {
		case "Credential":
			f := strings.Split(val, "/")
			if len(f) != 5 || f[4] != "aws4_request" {
				return authorization{}, fmt.Errorf("%w: credential %q", ErrMalformed, val)
			}
			a.scope = Scope{AccessKeyID: f[0], Date: f[1], Region: f[2], Service: f[3]}
		case "SignedHeaders":
			a.signedHeaders = strings.Split(val, ";")
		case "Signature":
			a.signature = val
		}
	}
	if a.scope.AccessKeyID == "" || len(a.signedHeaders) == 0 || a.signature == "" {
		return authorization{}, ErrMalformed
	}
	return a, nil
}

// canonicalURI is the escaped path; every service but S3 escapes it once
// more, so a path segment holding "%3A" (a Lambda ARN) is signed as "%253A".
func canonicalURI(u *url.URL, service string) string {
	p := u.EscapedPath()
	if p == "" {
		return "/"
	}
	if service == "s3" {
		return p
	}
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		c := p[i]
		if c == '/' || c == '-' || c == '_' || c == '.' || c == '~' || '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

// canonicalQuery sorts by key then value and uses RFC 3986 escaping, as the
// signer does (url.Values.Encode escapes space as '+', which SigV4 does not).
func canonicalQuery(q url.Values) string {
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		vals := append([]string(nil), q[k]...)
		sort.Strings(vals)
		for _, v := range vals {
			parts = append(parts, escape(k)+"="+escape(v))
		}
	}
	return strings.Join(parts, "&")
}

func escape(s string) string {
	return strings.ReplaceAll(url.QueryEscape(s), "+", "%20")
}

func canonicalHeaders(r *http.Request, signed []string) string {
	var b strings.Builder
	for _, name := range signed {
		var vals []string
		switch name {
		case "host":
			vals = []string{r.Host}
		case "content-length":
			vals = []string{fmt.Sprint(r.ContentLength)}
		default:
			vals = r.Header.Values(name)
		}
		for i, v := range vals {
			vals[i] = strings.Join(strings.Fields(v), " ")
		}
		b.WriteString(name)
		b.WriteByte(':')
		b.WriteString(strings.Join(vals, ","))
		b.WriteByte('\n')
	}
	return b.String()
}

func hmacSHA256(key []byte, data string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(data))
	return m.Sum(nil)
}
