// Package storage simulates Cloud Storage's JSON API (storage/v1) as the
// Go SDK cloud.google.com/go/storage and gcloud storage speak it: buckets
// (insert, get, list, patch, delete), objects (get, list with prefix,
// delimiter and offsets, patch, delete), uploads (uploadType media,
// multipart and resumable, in chunks), downloads (alt=media, and the XML
// API's GET /BUCKET/OBJECT the SDK reads with, ranges included), and
// generation and metageneration preconditions, and PUTs through the signed
// URLs another simulated service hands out (SignedPutURL). Errors are the JSON API's
// ({"error":{"code","message","errors":[{"reason",...}]}}).
//
// Only an object's live generation is kept: a bucket with versioning
// enabled is refused, saying so. Resumable upload sessions live in memory
// and end with the simulator; buckets and objects persist in the state
// file.
package storage

import (
	"fmt"
	"net/http"
	"strings"
	"sync"

	"github.com/sockerless/sockerless/simulators/kit/kv"
	"github.com/sockerless/sockerless/simulators/kit/service"
)

// Layout in bbolt: bucket "storage" holds "buckets" (name → bucket),
// "objects" (bucket NUL name → object's metadata) and "data" (the same
// key → the object's bytes).
const (
	bucketRoot    = "storage"
	bucketBuckets = "buckets"
	bucketObjects = "objects"
	bucketData    = "data"
)

// maxObject bounds one object: the simulator keeps objects in memory.
const maxObject = 1 << 30

// Service is Cloud Storage for one project (and any other named).
type Service struct {
	base    service.Base
	number  string // the project's number, in bucket resources
	kv      *kv.Store
	mu      sync.Mutex
	buckets map[string]*bucket
	objects map[string]map[string]*object // bucket → name → object
	uploads map[string]*upload            // resumable session id → session
	lastGen int64
}

// New loads the persisted buckets and objects.
func New(b service.Base, projectNumber string) (*Service, error) {
	s := &Service{base: b.Defaults(""), number: projectNumber, buckets: map[string]*bucket{},
		objects: map[string]map[string]*object{}, uploads: map[string]*upload{}}
	var err error
	if s.kv, err = kv.Open(b.DB, bucketRoot, bucketBuckets, bucketObjects, bucketData); err != nil {
		return nil, fmt.Errorf("storage: %w", err)
	}
	if err := s.load(); err != nil {
		return nil, fmt.Errorf("storage: %w", err)
	}
	return s, nil
}

// Routes are the JSON API's paths (/storage/v1/, /upload/storage/v1/,
// /download/storage/v1/) and the XML API's object reads, GET or HEAD
// /BUCKET/OBJECT for a bucket that exists: register them last, after
// every other service's paths.
func (s *Service) Routes() []service.Route {
	return []service.Route{
		{Name: "storage-upload", Stream: true, Match: func(r *http.Request, _ []byte) bool {
			return strings.HasPrefix(r.URL.Path, "/upload/storage/v1/")
		}, Serve: func(w http.ResponseWriter, r *http.Request, _ []byte) { s.serveUpload(w, r) }},
		{Name: "storage", Match: func(r *http.Request, _ []byte) bool {
			return strings.HasPrefix(r.URL.Path, "/storage/v1/") || strings.HasPrefix(r.URL.Path, "/download/storage/v1/")
		}, Serve: s.serveJSON},
		{Name: "storage-signed-put", Stream: true, Match: isSignedPut, Serve: func(w http.ResponseWriter, r *http.Request, _ []byte) { s.serveSignedPut(w, r) }},
		{Name: "storage-xml", Match: s.isXMLRead, Serve: func(w http.ResponseWriter, r *http.Request, _ []byte) { s.serveXMLRead(w, r) }},
	}
}
