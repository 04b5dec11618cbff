package storage

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"time"
)

// bucketNameRE is Cloud Storage's rule for a bucket name (without dots'
// extra rules): 3 to 63 lowercase letters, digits, -, _ and ., starting
// and ending with a letter or digit.
var bucketNameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{1,61}[a-z0-9]$`)

func stamp(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

func etag(parts ...int64) string {
	return base64.StdEncoding.EncodeToString([]byte(fmt.Sprint(parts)))
}

// locationType is the kind of place a location names.
func locationType(loc string) string {
	switch loc {
	case "US", "EU", "ASIA":
		return "multi-region"
	case "NAM4", "EUR4", "ASIA1", "EUR5", "EUR7", "EUR8":
		return "dual-region"
	}
	return "region"
}

func (s *Service) insertBucket(q url.Values, body []byte) (resource, *apiError) {
	project := q.Get("project")
	if project == "" {
		return nil, errorOf(http.StatusBadRequest, "required", "Required parameter: project")
	}
	r, err := decodeResource(body, bucketFields, "bucket")
	if err != nil {
		return nil, err
	}
	name := r.str("name")
	if !bucketNameRE.MatchString(name) || strings.Contains(name, "..") || strings.HasPrefix(name, "goog") {
		return nil, invalid("Invalid bucket name: '" + name + "'")
	}
	if err := refuseVersioning(r); err != nil {
		return nil, err
	}
	for k := range bucketOwned {
		delete(r, k)
	}
	loc := strings.ToUpper(r.str("location"))
	if loc == "" {
		loc = "US"
	}
	if r.str("storageClass") == "" {
		r.set("storageClass", "STANDARD")
	}
	now := stamp(s.base.Now())
	r.set("kind", "storage#bucket")
	r.set("id", name)
	r.set("name", name)
	r.set("selfLink", "https://www.googleapis.com/storage/v1/b/"+name)
	r.set("projectNumber", s.number)
	r.setInt("metageneration", 1)
	r.set("location", loc)
	r.set("locationType", locationType(loc))
	r.set("timeCreated", now)
	r.set("updated", now)
	r.set("etag", etag(1))
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.buckets[name] != nil {
		return nil, errorOf(http.StatusConflict, "conflict", "Your previous request to create the named bucket succeeded and you already own it.")
	}
	b := &bucket{Project: project, Res: r}
	if err := s.saveBucket(name, b); err != nil {
		return nil, internal(err)
	}
	s.buckets[name] = b
	s.objects[name] = map[string]*object{}
	return r.clone(), nil
}

// refuseVersioning refuses a bucket with versioning enabled, which the
// simulator does not keep.
func refuseVersioning(r resource) *apiError {
	var v struct{ Enabled bool }
	if r["versioning"] != nil && json.Unmarshal(r["versioning"], &v) == nil && v.Enabled {
		return invalid("Object versioning is not supported by the simulator: it keeps only an object's live generation.")
	}
	return nil
}

func internal(err error) *apiError {
	return errorOf(http.StatusInternalServerError, "backendError", "gcpsim: "+err.Error())
}

// bucketIf is the named bucket when the preconditions hold for it. The
// caller holds s.mu.
func (s *Service) bucketIf(name string, p preconditions) (*bucket, *apiError) {
	b := s.buckets[name]
	if b == nil {
		return nil, notFoundBucket()
	}
	if err := p.check(1, b.Res.int("metageneration")); err != nil {
		return nil, err
	}
	return b, nil
}

func (s *Service) getBucket(name string, q url.Values) (resource, *apiError) {
	p, err := parsePreconditions(q)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	b, err := s.bucketIf(name, p)
	if err != nil {
		return nil, err
	}
	return b.Res.clone(), nil
}

func (s *Service) listBuckets(q url.Values) (any, *apiError) {
	project := q.Get("project")
	if project == "" {
		return nil, errorOf(http.StatusBadRequest, "required", "Required parameter: project")
	}
	size, err := pageSize(q)
	if err != nil {
		return nil, err
	}
	after, err := pageToken(q)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var names []string
	for name, b := range s.buckets {
		if b.Project == project && strings.HasPrefix(name, q.Get("prefix")) && name > after {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	out := map[string]any{"kind": "storage#buckets"}
	items := []resource{}
	for i, name := range names {
		if i == size {
			out["nextPageToken"] = token(names[i-1])
			break
		}
		items = append(items, s.buckets[name].Res.clone())
	}
	out["items"] = items
	return out, nil
}

func (s *Service) patchBucket(name string, q url.Values, body []byte, replace bool) (resource, *apiError) {
	p, err := parsePreconditions(q)
	if err != nil {
		return nil, err
	}
	in, err := decodeResource(body, bucketFields, "bucket")
	if err != nil {
		return nil, err
	}
	if err := refuseVersioning(in); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	b, err := s.bucketIf(name, p)
	if err != nil {
		return nil, err
	}
	r := b.Res.clone()
	if replace {
		for k := range r {
			if !bucketOwned[k] && k != "location" {
				delete(r, k)
			}
		}
	}
	r.merge(in, func(k string) bool { return !bucketOwned[k] && k != "location" })
	meta := r.int("metageneration") + 1
	r.setInt("metageneration", meta)
	r.set("updated", stamp(s.base.Now()))
	r.set("etag", etag(meta))
	nb := &bucket{Project: b.Project, Res: r}
	if err := s.saveBucket(name, nb); err != nil {
		return nil, internal(err)
	}
	s.buckets[name] = nb
	return r.clone(), nil
}

func (s *Service) deleteBucket(name string, q url.Values) *apiError {
	p, err := parsePreconditions(q)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := s.bucketIf(name, p); err != nil {
		return err
	}
	if len(s.objects[name]) > 0 {
		return errorOf(http.StatusConflict, "conflict", "The bucket you tried to delete is not empty.")
	}
	if err := s.saveBucket(name, nil); err != nil {
		return internal(err)
	}
	delete(s.buckets, name)
	delete(s.objects, name)
	return nil
}

// A page token is the last name of the page before, base64-encoded.
func token(last string) string { return base64.RawURLEncoding.EncodeToString([]byte(last)) }

func pageToken(q url.Values) (string, *apiError) {
	t := q.Get("pageToken")
	if t == "" {
		return "", nil
	}
	b, err := base64.RawURLEncoding.DecodeString(t)
	if err != nil {
		return "", invalid("Invalid pageToken: " + t)
	}
	return string(b), nil
}
