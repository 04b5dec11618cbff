package storage

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Signed URLs: another simulated service (Cloud Functions' source
// uploads) hands its client a URL that lets it PUT one object without
// credentials, as a V4 signed URL does. The signature is an HMAC-SHA256
// of the method, path and expiry under a key of this process, so a URL
// is good until it expires or the simulator restarts.

// signKey signs this process's URLs.
var signKey = func() []byte {
	var b [32]byte
	rand.Read(b[:])
	return b[:]
}()

func signature(method, path string, expires int64) string {
	m := hmac.New(sha256.New, signKey)
	fmt.Fprintf(m, "%s\n%s\n%d", method, path, expires)
	return hex.EncodeToString(m.Sum(nil))
}

// SignedPutURL is a URL under base (http://HOST:PORT of the simulator)
// that PUTs the object bucket/name until ttl has passed.
func (s *Service) SignedPutURL(base, bkt, name string, ttl time.Duration) string {
	path := "/" + bkt + "/" + url.PathEscape(name)
	expires := s.base.Now().Add(ttl).Unix()
	q := url.Values{"X-Goog-Algorithm": {"GOOG4-HMAC-SHA256"}, "X-Goog-Expires": {strconv.FormatInt(expires, 10)},
		"X-Goog-Signature": {signature(http.MethodPut, path, expires)}}
	return base + path + "?" + q.Encode()
}

// isSignedPut reports whether r is a PUT through a signed URL.
func isSignedPut(r *http.Request, _ []byte) bool {
	return r.Method == http.MethodPut && r.URL.Query().Get("X-Goog-Signature") != ""
}

// serveSignedPut stores the request's body as the object its signed URL
// names, answering as the XML API does.
func (s *Service) serveSignedPut(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	expires, _ := strconv.ParseInt(q.Get("X-Goog-Expires"), 10, 64)
	sig := signature(http.MethodPut, r.URL.EscapedPath(), expires)
	switch {
	case !hmac.Equal([]byte(sig), []byte(q.Get("X-Goog-Signature"))):
		xmlError(w, http.StatusForbidden, "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided.")
		return
	case s.base.Now().Unix() > expires:
		xmlError(w, http.StatusBadRequest, "ExpiredToken", "The provided token has expired.")
		return
	}
	bkt, name, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
	data, err := io.ReadAll(io.LimitReader(r.Body, maxObject+1))
	if err != nil || len(data) > maxObject {
		xmlError(w, http.StatusBadRequest, "EntityTooLarge", "The object could not be read, or it is larger than the simulator keeps.")
		return
	}
	meta := resource{}
	meta.set("name", name)
	if ct := r.Header.Get("Content-Type"); ct != "" {
		meta.set("contentType", ct)
	}
	s.mu.Lock()
	res, aerr := s.write(bkt, meta, data, preconditions{})
	s.mu.Unlock()
	if aerr != nil {
		xmlError(w, aerr.code, "InvalidArgument", aerr.msg)
		return
	}
	w.Header().Set("ETag", `"`+res.str("md5Hash")+`"`)
	w.Header().Set("X-Goog-Generation", res.str("generation"))
	w.WriteHeader(http.StatusOK)
}

func xmlError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/xml; charset=UTF-8")
	w.WriteHeader(status)
	fmt.Fprintf(w, "<?xml version='1.0' encoding='UTF-8'?><Error><Code>%s</Code><Message>%s</Message></Error>", code, msg)
}

// EnsureBucket creates bucket name of project in location unless it
// exists: a bucket a Google service keeps for its own use.
func (s *Service) EnsureBucket(project, name, location string) error {
	body := fmt.Sprintf(`{"name":%q,"location":%q}`, name, location)
	_, err := s.insertBucket(url.Values{"project": {project}}, []byte(body))
	if err != nil && err.code != http.StatusConflict {
		return err
	}
	return nil
}

// Object is the live generation of object bucket/name: its bytes and
// generation.
func (s *Service) Object(bkt, name string) ([]byte, int64, error) {
	o, err := s.readable(bkt, name, url.Values{})
	if err != nil {
		return nil, 0, err
	}
	return o.Data, o.Res.int("generation"), nil
}
