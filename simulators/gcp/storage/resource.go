package storage

import (
	"encoding/json"
	"sort"
	"strconv"
	"strings"
)

// resource is a bucket's or object's JSON API representation, kept as the
// fields it was given (so what a client sets it reads back, cors and
// lifecycle rules included) overlaid with the fields the service owns.
type resource map[string]json.RawMessage

func (r resource) str(key string) string {
	var s string
	json.Unmarshal(r[key], &s)
	return s
}

func (r resource) set(key string, v any) {
	b, _ := json.Marshal(v)
	r[key] = b
}

// int is a field the API writes as a decimal string (generation, size).
func (r resource) int(key string) int64 {
	n, _ := strconv.ParseInt(r.str(key), 10, 64)
	return n
}

func (r resource) setInt(key string, n int64) { r.set(key, strconv.FormatInt(n, 10)) }

// merge sets the fields of in that writable allows, as a patch does: a
// null deletes the field.
func (r resource) merge(in resource, writable func(key string) bool) {
	for k, v := range in {
		switch {
		case !writable(k):
		case string(v) == "null":
			delete(r, k)
		default:
			r[k] = v
		}
	}
}

func (r resource) clone() resource {
	out := resource{}
	for k, v := range r {
		out[k] = v
	}
	return out
}

// The fields of the API's Bucket and Object resources (storage/v1).
var (
	bucketFields = fieldSet("acl autoclass billing cors customPlacementConfig defaultEventBasedHold defaultObjectAcl encryption etag generation hardDeleteTime hierarchicalNamespace iamConfiguration id ipFilter kind labels lifecycle location locationType logging metageneration name objectRetention owner projectNumber retentionPolicy rpo satisfiesPZI satisfiesPZS selfLink softDeletePolicy softDeleteTime storageClass timeCreated updated versioning website")
	objectFields = fieldSet("acl bucket cacheControl componentCount contentDisposition contentEncoding contentLanguage contentType contexts crc32c customTime customerEncryption etag eventBasedHold generation hardDeleteTime id kind kmsKeyName md5Hash mediaLink metadata metageneration name owner restoreToken retention retentionExpirationTime selfLink size softDeleteTime storageClass temporaryHold timeCreated timeDeleted timeFinalized timeStorageClassUpdated updated")
	// objectWritable are the object fields a patch may change.
	objectWritable = fieldSet("acl cacheControl contentDisposition contentEncoding contentLanguage contentType contexts customTime eventBasedHold metadata retention temporaryHold")
	// bucketOwned are the bucket fields the service sets, not the client.
	bucketOwned = fieldSet("etag generation hardDeleteTime id kind locationType metageneration name owner projectNumber satisfiesPZI satisfiesPZS selfLink softDeleteTime timeCreated updated")
)

func fieldSet(names string) map[string]bool {
	out := map[string]bool{}
	for _, n := range strings.Fields(names) {
		out[n] = true
	}
	return out
}

// decodeResource reads a JSON resource, refusing fields the API does not
// define, as Google's front end does.
func decodeResource(body []byte, fields map[string]bool, what string) (resource, *apiError) {
	r := resource{}
	if len(strings.TrimSpace(string(body))) == 0 {
		return r, nil
	}
	if err := json.Unmarshal(body, &r); err != nil {
		return nil, invalid("Invalid JSON payload received: " + err.Error())
	}
	var unknown []string
	for k := range r {
		if !fields[k] {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		return nil, invalid("Invalid JSON payload received. Unknown name \"" + unknown[0] + "\" at '" + what + "': Cannot find field.")
	}
	return r, nil
}
