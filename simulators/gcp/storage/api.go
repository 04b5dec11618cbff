package storage

import (
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
)

var (
	bucketsPath = regexp.MustCompile(`^/b$`)
	bucketPath  = regexp.MustCompile(`^/b/([^/]+)$`)
	objectsPath = regexp.MustCompile(`^/b/([^/]+)/o$`)
	objectPath  = regexp.MustCompile(`^/b/([^/]+)/o/(.+)$`)
)

// serveJSON routes a JSON API request (storage/v1) by path and method.
func (s *Service) serveJSON(w http.ResponseWriter, r *http.Request, body []byte) {
	p := r.URL.EscapedPath()
	p = strings.TrimPrefix(strings.TrimPrefix(p, "/download"), "/storage/v1")
	q := r.URL.Query()
	var m []string
	match := func(re *regexp.Regexp) bool {
		m = re.FindStringSubmatch(p)
		for i := range m {
			m[i], _ = url.PathUnescape(m[i])
		}
		return m != nil
	}
	var out any
	var err *apiError
	switch {
	case match(bucketsPath) && r.Method == http.MethodPost:
		out, err = s.insertBucket(q, body)
	case match(bucketsPath) && r.Method == http.MethodGet:
		out, err = s.listBuckets(q)
	case match(bucketPath) && r.Method == http.MethodGet:
		out, err = s.getBucket(m[1], q)
	case match(bucketPath) && (r.Method == http.MethodPatch || r.Method == http.MethodPut):
		out, err = s.patchBucket(m[1], q, body, r.Method == http.MethodPut)
	case match(bucketPath) && r.Method == http.MethodDelete:
		if err = s.deleteBucket(m[1], q); err == nil {
			w.WriteHeader(http.StatusNoContent)
			return
		}
	case match(objectsPath) && r.Method == http.MethodGet:
		out, err = s.listObjects(m[1], q)
	case match(objectPath) && r.Method == http.MethodGet && q.Get("alt") == "media":
		s.serveMedia(w, r, m[1], m[2])
		return
	case match(objectPath) && r.Method == http.MethodGet:
		out, err = s.getObject(m[1], m[2], q)
	case match(objectPath) && (r.Method == http.MethodPatch || r.Method == http.MethodPut):
		out, err = s.patchObject(m[1], m[2], q, body)
	case match(objectPath) && r.Method == http.MethodDelete:
		if err = s.deleteObject(m[1], m[2], q); err == nil {
			w.WriteHeader(http.StatusNoContent)
			return
		}
	default:
		err = errorOf(http.StatusNotImplemented, "notImplemented", "The simulator does not serve "+r.Method+" "+r.URL.Path+": it serves buckets (insert, get, list, patch, delete) and objects (upload, get, list, patch, delete); copy, rewrite, compose and IAM policies are not simulated.")
	}
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// preconditions are a request's if*Match parameters.
type preconditions struct {
	genMatch, genNotMatch, metaMatch, metaNotMatch *int64
}

func parsePreconditions(q url.Values) (preconditions, *apiError) {
	var p preconditions
	for name, dst := range map[string]**int64{"ifGenerationMatch": &p.genMatch, "ifGenerationNotMatch": &p.genNotMatch,
		"ifMetagenerationMatch": &p.metaMatch, "ifMetagenerationNotMatch": &p.metaNotMatch} {
		if v := q.Get(name); v != "" {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				return p, invalid("Invalid argument for " + name + ": " + strconv.Quote(v))
			}
			*dst = &n
		}
	}
	return p, nil
}

// check holds unless a condition fails for a resource of generation gen
// and metageneration meta (gen 0: there is none).
func (p preconditions) check(gen, meta int64) *apiError {
	if p.genMatch != nil && *p.genMatch != gen || p.genNotMatch != nil && *p.genNotMatch == gen {
		return preconditionFailed()
	}
	if gen == 0 && (p.metaMatch != nil || p.metaNotMatch != nil) {
		return preconditionFailed()
	}
	if p.metaMatch != nil && *p.metaMatch != meta || p.metaNotMatch != nil && *p.metaNotMatch == meta {
		return preconditionFailed()
	}
	return nil
}

// pageSize is maxResults, 1000 at most and by default.
func pageSize(q url.Values) (int, *apiError) {
	v := q.Get("maxResults")
	if v == "" {
		return 1000, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, invalid("Invalid argument for maxResults: " + strconv.Quote(v))
	}
	if n == 0 || n > 1000 {
		n = 1000
	}
	return n, nil
}
