package storage

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// isXMLRead reports whether r reads an object through the XML API, as the
// Go SDK reads: GET or HEAD /BUCKET/OBJECT of a bucket that exists.
func (s *Service) isXMLRead(r *http.Request, _ []byte) bool {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		return false
	}
	bkt, name, ok := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
	if !ok || name == "" {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buckets[bkt] != nil
}

func (s *Service) serveXMLRead(w http.ResponseWriter, r *http.Request) {
	bkt, name, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
	o, err := s.readable(bkt, name, r.URL.Query())
	if err != nil {
		code := map[int]string{http.StatusNotFound: "NoSuchKey", http.StatusPreconditionFailed: "PreconditionFailed"}[err.code]
		if code == "" {
			code = "InvalidArgument"
		}
		w.Header().Set("Content-Type", "application/xml; charset=UTF-8")
		w.WriteHeader(err.code)
		fmt.Fprintf(w, "<?xml version='1.0' encoding='UTF-8'?><Error><Code>%s</Code><Message>%s</Message></Error>", code, err.msg)
		return
	}
	serveBytes(w, r, o)
}

// serveMedia is the JSON API's download, alt=media.
func (s *Service) serveMedia(w http.ResponseWriter, r *http.Request, bkt, name string) {
	o, err := s.readable(bkt, name, r.URL.Query())
	if err != nil {
		writeError(w, err)
		return
	}
	serveBytes(w, r, o)
}

// readable is the object a read names, as it is now.
func (s *Service) readable(bkt, name string, q url.Values) (object, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, err := s.live(bkt, name, q)
	if err != nil {
		return object{}, err
	}
	return *o, nil
}

// serveBytes answers with an object's bytes (a range of them when asked)
// and the headers Cloud Storage sends with them.
func serveBytes(w http.ResponseWriter, r *http.Request, o object) {
	h := w.Header()
	h.Set("Content-Type", o.Res.str("contentType"))
	h.Set("X-Goog-Generation", o.Res.str("generation"))
	h.Set("X-Goog-Metageneration", o.Res.str("metageneration"))
	h.Set("X-Goog-Stored-Content-Length", o.Res.str("size"))
	h.Set("X-Goog-Hash", "crc32c="+o.Res.str("crc32c")+",md5="+o.Res.str("md5Hash"))
	h.Set("X-Goog-Storage-Class", o.Res.str("storageClass"))
	h.Set("ETag", `"`+o.Res.str("etag")+`"`)
	for field, header := range map[string]string{"contentEncoding": "Content-Encoding", "cacheControl": "Cache-Control",
		"contentDisposition": "Content-Disposition", "contentLanguage": "Content-Language"} {
		if v := o.Res.str(field); v != "" {
			h.Set(header, v)
		}
	}
	if v := o.Res.str("contentEncoding"); v != "" {
		h.Set("X-Goog-Stored-Content-Encoding", v)
	}
	updated, _ := time.Parse(time.RFC3339Nano, o.Res.str("updated"))
	http.ServeContent(w, r, "", updated, bytes.NewReader(o.Data))
}
