package storage

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
)

// upload is a resumable upload session: what it will write, and the bytes
// received so far.
type upload struct {
	bucket string
	meta   resource
	pre    preconditions
	data   []byte
}

var uploadPath = regexp.MustCompile(`^/upload/storage/v1/b/([^/]+)/o$`)

// serveUpload is an object insert: uploadType media (the body is the
// object, named by the query), multipart (the resource, then the bytes)
// or resumable (a session, then its chunks PUT to the session's URL).
func (s *Service) serveUpload(w http.ResponseWriter, r *http.Request) {
	m := uploadPath.FindStringSubmatch(r.URL.EscapedPath())
	if m == nil {
		writeError(w, errorOf(http.StatusNotFound, "notFound", "The simulator serves uploads at /upload/storage/v1/b/BUCKET/o, not "+r.URL.Path))
		return
	}
	bkt, _ := url.PathUnescape(m[1])
	q := r.URL.Query()
	body, rerr := io.ReadAll(io.LimitReader(r.Body, maxObject+1))
	if rerr != nil || len(body) > maxObject {
		writeError(w, invalid("The upload could not be read, or is larger than the simulator's 1 GiB."))
		return
	}
	if id := q.Get("upload_id"); id != "" {
		s.serveChunk(w, r, id, body)
		return
	}
	p, err := parsePreconditions(q)
	if err != nil {
		writeError(w, err)
		return
	}
	var meta resource
	data := body
	switch q.Get("uploadType") {
	case "media":
		meta = resource{}
		meta.set("contentType", r.Header.Get("Content-Type"))
	case "multipart":
		meta, data, err = splitMultipart(r.Header.Get("Content-Type"), body)
	case "resumable":
		if meta, err = decodeResource(body, objectFields, "object"); err == nil {
			s.startResumable(w, r, bkt, q, meta, p)
			return
		}
	default:
		err = invalid("Invalid uploadType " + strconv.Quote(q.Get("uploadType")) + ": media, multipart or resumable")
	}
	if err != nil {
		writeError(w, err)
		return
	}
	if meta.str("name") == "" && q.Get("name") != "" {
		meta.set("name", q.Get("name"))
	}
	s.mu.Lock()
	out, err := s.write(bkt, meta, data, p)
	s.mu.Unlock()
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// splitMultipart reads a multipart/related upload: the object resource as
// JSON, then its bytes.
func splitMultipart(contentType string, body []byte) (resource, []byte, *apiError) {
	boundary := boundaryOf(contentType)
	if boundary == "" {
		return nil, nil, invalid("A multipart upload's Content-Type must be multipart/related with a boundary, not " + strconv.Quote(contentType))
	}
	mr := multipart.NewReader(bytes.NewReader(body), boundary)
	var parts [2][]byte
	var mediaType string
	for i := range parts {
		part, err := mr.NextPart()
		if err != nil {
			return nil, nil, invalid("A multipart upload has two parts, the resource and the media: " + err.Error())
		}
		if parts[i], err = io.ReadAll(part); err != nil {
			return nil, nil, invalid(err.Error())
		}
		if i == 1 {
			mediaType = part.Header.Get("Content-Type")
		}
	}
	meta, aerr := decodeResource(parts[0], objectFields, "object")
	if aerr != nil {
		return nil, nil, aerr
	}
	if meta.str("contentType") == "" && mediaType != "" {
		meta.set("contentType", mediaType)
	}
	return meta, parts[1], nil
}

// boundaryOf is a multipart/related Content-Type's boundary. Python's
// email package (gcloud's) quotes it with single quotes, which Go's MIME
// parser refuses, so that form is read too.
func boundaryOf(contentType string) string {
	if mt, params, err := mime.ParseMediaType(contentType); err == nil {
		if mt != "multipart/related" {
			return ""
		}
		return params["boundary"]
	}
	if !strings.HasPrefix(contentType, "multipart/related;") {
		return ""
	}
	_, b, _ := strings.Cut(contentType, "boundary=")
	b, _, _ = strings.Cut(b, ";")
	return strings.Trim(strings.TrimSpace(b), `'"`)
}

func (s *Service) startResumable(w http.ResponseWriter, r *http.Request, bkt string, q url.Values, meta resource, p preconditions) {
	if meta.str("name") == "" && q.Get("name") != "" {
		meta.set("name", q.Get("name"))
	}
	if meta.str("contentType") == "" && r.Header.Get("X-Upload-Content-Type") != "" {
		meta.set("contentType", r.Header.Get("X-Upload-Content-Type"))
	}
	var id [16]byte
	rand.Read(id[:])
	sid := hex.EncodeToString(id[:])
	s.mu.Lock()
	if s.buckets[bkt] == nil {
		s.mu.Unlock()
		writeError(w, notFoundBucket())
		return
	}
	s.uploads[sid] = &upload{bucket: bkt, meta: meta, pre: p}
	s.mu.Unlock()
	w.Header().Set("Location", "http://"+r.Host+"/upload/storage/v1/b/"+url.PathEscape(bkt)+"/o?uploadType=resumable&upload_id="+sid)
	w.Header().Set("X-GUploader-UploadID", sid)
	w.WriteHeader(http.StatusOK)
}

// contentRangeRE is a chunk's Content-Range: bytes FIRST-LAST/TOTAL, with
// */ for no bytes and /* for a total not known yet.
var contentRangeRE = regexp.MustCompile(`^bytes (?:(\d+)-(\d+)|\*)/(\d+|\*)$`)

// serveChunk takes one chunk of a resumable upload, or answers how much
// it holds; the chunk that completes the total writes the object.
func (s *Service) serveChunk(w http.ResponseWriter, r *http.Request, id string, body []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.uploads[id]
	if u == nil {
		writeError(w, errorOf(http.StatusNotFound, "notFound", "No such resumable upload session: "+id+" (sessions end when the simulator restarts)."))
		return
	}
	total := int64(-1)
	first := int64(len(u.data))
	if cr := r.Header.Get("Content-Range"); cr != "" {
		m := contentRangeRE.FindStringSubmatch(cr)
		if m == nil {
			writeError(w, invalid("Invalid Content-Range "+strconv.Quote(cr)))
			return
		}
		if m[3] != "*" {
			total, _ = strconv.ParseInt(m[3], 10, 64)
		}
		if m[1] != "" {
			first, _ = strconv.ParseInt(m[1], 10, 64)
		}
	} else {
		total = int64(len(u.data) + len(body))
	}
	if first > int64(len(u.data)) {
		writeError(w, invalid("The chunk starts at byte "+strconv.FormatInt(first, 10)+" but the session holds "+strconv.Itoa(len(u.data))+": send the missing bytes first."))
		return
	}
	// Bytes the session already holds are sent again after a lost reply.
	if skip := int64(len(u.data)) - first; skip < int64(len(body)) {
		u.data = append(u.data, body[skip:]...)
	}
	if total >= 0 && int64(len(u.data)) > total {
		writeError(w, invalid("The upload holds more bytes than its declared total "+strconv.FormatInt(total, 10)+"."))
		return
	}
	if total < 0 || int64(len(u.data)) < total {
		if len(u.data) > 0 {
			w.Header().Set("Range", "bytes=0-"+strconv.Itoa(len(u.data)-1))
		}
		// Google's Go clients ask for 200 with the status in a header,
		// since 308 means a redirect to Go's HTTP client.
		if r.Header.Get("X-GUploader-No-308") == "yes" {
			w.Header().Set("X-Http-Status-Code-Override", "308")
			w.WriteHeader(http.StatusOK)
			return
		}
		w.WriteHeader(http.StatusPermanentRedirect)
		return
	}
	out, err := s.write(u.bucket, u.meta, u.data, u.pre)
	delete(s.uploads, id)
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}
