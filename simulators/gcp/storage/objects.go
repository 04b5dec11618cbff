package storage

import (
	"crypto/md5"
	"encoding/base64"
	"encoding/binary"
	"hash/crc32"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// crc32c is the object's CRC32C as the API writes it: big-endian, base64.
func crc32c(b []byte) string {
	var sum [4]byte
	binary.BigEndian.PutUint32(sum[:], crc32.Checksum(b, castagnoli))
	return base64.StdEncoding.EncodeToString(sum[:])
}

func md5Hash(b []byte) string {
	sum := md5.Sum(b)
	return base64.StdEncoding.EncodeToString(sum[:])
}

// nextGeneration is a new generation: microseconds since the epoch, as
// Cloud Storage's are, and always above the last.
func (s *Service) nextGeneration() int64 {
	s.lastGen = max(s.lastGen+1, s.base.Now().UnixMicro())
	return s.lastGen
}

// write stores data as a new generation of bucket/name with the metadata
// in meta, when the preconditions hold against the live generation. The
// caller holds s.mu.
func (s *Service) write(bkt string, meta resource, data []byte, p preconditions) (resource, *apiError) {
	name := meta.str("name")
	if name == "" {
		return nil, errorOf(http.StatusBadRequest, "required", "Required parameter: name")
	}
	if len(name) > 1024 || strings.ContainsAny(name, "\r\n") || name == "." || name == ".." {
		return nil, invalid("The object name '" + name + "' is invalid: at most 1024 bytes of UTF-8, without carriage returns or line feeds, and not . or ..")
	}
	if s.buckets[bkt] == nil {
		return nil, notFoundBucket()
	}
	var gen, metagen int64
	if old := s.objects[bkt][name]; old != nil {
		gen, metagen = old.Res.int("generation"), old.Res.int("metageneration")
	}
	if err := p.check(gen, metagen); err != nil {
		return nil, err
	}
	if want := meta.str("crc32c"); want != "" && want != crc32c(data) {
		return nil, invalid("Provided CRC32C \"" + want + "\" doesn't match calculated CRC32C \"" + crc32c(data) + "\".")
	}
	if want := meta.str("md5Hash"); want != "" && want != md5Hash(data) {
		return nil, invalid("Provided MD5 hash \"" + want + "\" doesn't match calculated MD5 hash \"" + md5Hash(data) + "\".")
	}
	r := resource{}
	for k, v := range meta {
		if objectWritable[k] {
			r[k] = v
		}
	}
	if r.str("contentType") == "" {
		r.set("contentType", "application/octet-stream")
	}
	newGen := s.nextGeneration()
	now := stamp(s.base.Now())
	esc := url.PathEscape(name)
	r.set("kind", "storage#object")
	r.set("id", bkt+"/"+name+"/"+strconv.FormatInt(newGen, 10))
	r.set("selfLink", "https://www.googleapis.com/storage/v1/b/"+bkt+"/o/"+esc)
	r.set("mediaLink", "https://storage.googleapis.com/download/storage/v1/b/"+bkt+"/o/"+esc+"?generation="+strconv.FormatInt(newGen, 10)+"&alt=media")
	r.set("name", name)
	r.set("bucket", bkt)
	r.setInt("generation", newGen)
	r.setInt("metageneration", 1)
	r.set("storageClass", s.buckets[bkt].Res.str("storageClass"))
	r.setInt("size", int64(len(data)))
	r.set("md5Hash", md5Hash(data))
	r.set("crc32c", crc32c(data))
	r.set("etag", etag(newGen, 1))
	r.set("timeCreated", now)
	r.set("updated", now)
	r.set("timeStorageClassUpdated", now)
	r.set("timeFinalized", now)
	o := &object{Res: r, Data: data}
	if err := s.saveObject(bkt, name, o); err != nil {
		return nil, internal(err)
	}
	s.objects[bkt][name] = o
	return r.clone(), nil
}

// live finds an object, at the generation the query names if it does.
// The caller holds s.mu.
func (s *Service) live(bkt, name string, q url.Values) (*object, *apiError) {
	if s.buckets[bkt] == nil {
		return nil, notFoundBucket()
	}
	o := s.objects[bkt][name]
	if o == nil {
		return nil, notFoundObject(bkt, name)
	}
	if g := q.Get("generation"); g != "" && g != o.Res.str("generation") {
		return nil, notFoundObject(bkt, name)
	}
	p, err := parsePreconditions(q)
	if err != nil {
		return nil, err
	}
	if err := p.check(o.Res.int("generation"), o.Res.int("metageneration")); err != nil {
		return nil, err
	}
	return o, nil
}

func (s *Service) getObject(bkt, name string, q url.Values) (resource, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, err := s.live(bkt, name, q)
	if err != nil {
		return nil, err
	}
	return o.Res.clone(), nil
}

func (s *Service) deleteObject(bkt, name string, q url.Values) *apiError {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := s.live(bkt, name, q); err != nil {
		return err
	}
	if err := s.saveObject(bkt, name, nil); err != nil {
		return internal(err)
	}
	delete(s.objects[bkt], name)
	return nil
}

// patchObject changes an object's writable metadata: a new
// metageneration of the same generation.
func (s *Service) patchObject(bkt, name string, q url.Values, body []byte) (resource, *apiError) {
	in, err := decodeResource(body, objectFields, "object")
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	o, err := s.live(bkt, name, q)
	if err != nil {
		return nil, err
	}
	r := o.Res.clone()
	r.merge(in, func(k string) bool { return objectWritable[k] })
	meta := r.int("metageneration") + 1
	r.setInt("metageneration", meta)
	r.set("updated", stamp(s.base.Now()))
	r.set("etag", etag(r.int("generation"), meta))
	no := &object{Res: r, Data: o.Data}
	if err := s.saveObject(bkt, name, no); err != nil {
		return nil, internal(err)
	}
	s.objects[bkt][name] = no
	return r.clone(), nil
}

// listObjects lists a bucket's objects by name: those under prefix,
// between startOffset and endOffset, names past a delimiter after the
// prefix collapsed into prefixes.
func (s *Service) listObjects(bkt string, q url.Values) (any, *apiError) {
	if q.Get("matchGlob") != "" {
		return nil, invalid("matchGlob is not supported by the simulator: list with prefix and delimiter.")
	}
	size, err := pageSize(q)
	if err != nil {
		return nil, err
	}
	after, err := pageToken(q)
	if err != nil {
		return nil, err
	}
	prefix, delim := q.Get("prefix"), q.Get("delimiter")
	start, end := q.Get("startOffset"), q.Get("endOffset")
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.buckets[bkt] == nil {
		return nil, notFoundBucket()
	}
	var names []string
	for name := range s.objects[bkt] {
		if strings.HasPrefix(name, prefix) && name > after && name >= start && (end == "" || name < end) {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	items, prefixes := []resource{}, []string{}
	out := map[string]any{"kind": "storage#objects"}
	last := ""
	for _, name := range names {
		if name <= last {
			continue // under a prefix already listed
		}
		if len(items)+len(prefixes) == size {
			out["nextPageToken"] = token(last)
			break
		}
		if i := strings.Index(name[len(prefix):], delim); delim != "" && i >= 0 {
			p := name[:len(prefix)+i+len(delim)]
			prefixes = append(prefixes, p)
			if q.Get("includeTrailingDelimiter") == "true" && s.objects[bkt][p] != nil {
				items = append(items, s.objects[bkt][p].Res.clone())
			}
			// \xff is above every byte of UTF-8: past every name under p.
			last = p + "\xff"
			continue
		}
		items = append(items, s.objects[bkt][name].Res.clone())
		last = name
	}
	out["items"] = items
	if len(prefixes) > 0 {
		out["prefixes"] = prefixes
	}
	return out, nil
}
