package core

import (
	"context"
	"encoding/json"
	"errors"
	"sort"
	"strings"
	"time"

	"github.com/distribution/reference"
	dockerspec "github.com/moby/docker-image-spec/specs-go/v1"
	"github.com/sockerless/sockerless/functions/state"
)

// imageRecord is the stored image: its config as the backend holds it.
// The names that point at it are the tag entries (keyTag), the one
// record of each; RepoTags is filled from them when an image is read,
// never stored.
type imageRecord struct {
	ID          string
	RepoTags    []string `json:",omitempty"`
	RepoDigests []string
	ConfigJSON  json.RawMessage
	Size        int64
	// LastTagTime is when a tag last moved here: a hint, written after
	// the tag entry.
	LastTagTime time.Time
	// Parent is the image a docker commit was made over ("" for others).
	Parent string `json:",omitempty"`
}

func (r *imageRecord) config() (dockerspec.DockerOCIImage, error) {
	var img dockerspec.DockerOCIImage
	err := json.Unmarshal(r.ConfigJSON, &img)
	return img, err
}

// imageWithConfig finds an image and reads its config.
func (c *Core) imageWithConfig(ctx context.Context, ref string) (*imageRecord, dockerspec.DockerOCIImage, error) {
	rec, _, err := c.findImage(ctx, ref)
	if err != nil {
		return nil, dockerspec.DockerOCIImage{}, err
	}
	img, err := rec.config()
	return rec, img, err
}

// normalizeRef turns "busybox" into "docker.io/library/busybox:latest".
// A digest reference keeps its digest.
func normalizeRef(ref string) (reference.Named, error) {
	named, err := reference.ParseNormalizedNamed(ref)
	if err != nil {
		return nil, invalid("invalid reference format: %s: %v", ref, err)
	}
	if _, ok := named.(reference.Digested); ok {
		return named, nil
	}
	return reference.TagNameOnly(named), nil
}

// familiar is the short form Docker prints ("busybox:latest").
func familiar(named reference.Named) string { return reference.FamiliarString(named) }

// findImage resolves an image id (full, "sha256:"-less, or a unique
// prefix) or a reference, with its tags.
func (c *Core) findImage(ctx context.Context, ref string) (*imageRecord, int64, error) {
	rec, ver, err := c.findImageRecord(ctx, ref)
	if err != nil {
		return nil, 0, err
	}
	tags, err := c.tags(ctx)
	if err != nil {
		return nil, 0, err
	}
	rec.RepoTags = tags[rec.ID]
	return rec, ver, nil
}

func (c *Core) findImageRecord(ctx context.Context, ref string) (*imageRecord, int64, error) {
	rec := new(imageRecord)
	id := ref
	if !strings.HasPrefix(id, "sha256:") && len(id) == 64 && isHexPrefix(id) {
		id = "sha256:" + id
	}
	if strings.HasPrefix(id, "sha256:") {
		if ver, err := c.getJSON(ctx, keyImage+id, rec); err == nil {
			return rec, ver, nil
		} else if !errors.Is(err, state.ErrNotFound) {
			return nil, 0, err
		}
	}
	if named, err := reference.ParseNormalizedNamed(ref); err == nil {
		if _, ok := named.(reference.Digested); !ok {
			named = reference.TagNameOnly(named)
		}
		if t, err := c.store.Get(ctx, keyTag+named.String()); err == nil {
			ver, err := c.getJSON(ctx, keyImage+string(t.Value), rec)
			if err == nil {
				return rec, ver, nil
			}
			if errors.Is(err, state.ErrNotFound) {
				// Stale: the image went and a remove stopped before its
				// tags (or a tag raced the remove).
				if err := c.store.Delete(ctx, t.Key, t.Version); err != nil && !isLostRace(err) {
					return nil, 0, err
				}
			}
		}
	}
	prefix := strings.TrimPrefix(ref, "sha256:")
	if isHexPrefix(prefix) && len(prefix) >= 4 {
		recs, _, err := c.store.List(ctx, keyImage+"sha256:"+prefix, "", 2)
		if err != nil {
			return nil, 0, err
		}
		if len(recs) == 1 {
			ver, err := c.getJSON(ctx, recs[0].Key, rec)
			return rec, ver, err
		}
	}
	return nil, 0, noSuchImage(ref)
}

// noSuchImage is dockerd's 404, which names the reference it looked
// for: "x" is "x:latest".
func noSuchImage(ref string) error {
	if named, err := normalizeRef(ref); err == nil {
		ref = familiar(named)
	}
	return notFound("No such image: %s", ref)
}

// tags reads every tag entry: image id → its familiar names, sorted as
// dockerd sorts them. An entry whose image is gone names nothing.
func (c *Core) tags(ctx context.Context) (map[string][]string, error) {
	out := map[string][]string{}
	err := eachRecord(ctx, c.store, keyTag, func(r state.Record) error {
		if named, err := reference.ParseNormalizedNamed(r.Key[len(keyTag):]); err == nil {
			out[string(r.Value)] = append(out[string(r.Value)], familiar(named))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, t := range out {
		sort.Strings(t)
	}
	return out, nil
}

// images lists every image with its tags.
func (c *Core) images(ctx context.Context) ([]imageRecord, error) {
	recs, err := listJSON[imageRecord](ctx, c, keyImage)
	if err != nil {
		return nil, err
	}
	tags, err := c.tags(ctx)
	if err != nil {
		return nil, err
	}
	for i := range recs {
		recs[i].RepoTags = tags[recs[i].ID]
	}
	return recs, nil
}

// recordImage stores content as an image, then points each of tags at
// it (the record first: a tag entry points at an image that exists).
func (c *Core) recordImage(ctx context.Context, content ImageContent, tags ...reference.Named) (*imageRecord, error) {
	rec := &imageRecord{ID: content.ID, ConfigJSON: content.ConfigJSON, Size: content.Size, RepoDigests: content.RepoDigests}
	for {
		cur := new(imageRecord)
		ver, err := c.getJSON(ctx, keyImage+content.ID, cur)
		if err != nil && !errors.Is(err, state.ErrNotFound) {
			return nil, err
		}
		if err == nil {
			rec.RepoDigests = mergeStrings(cur.RepoDigests, content.RepoDigests)
			rec.LastTagTime = cur.LastTagTime
			rec.Parent = cur.Parent
		}
		if content.Parent != "" {
			rec.Parent = content.Parent
		}
		if _, err := c.putJSON(ctx, keyImage+content.ID, rec, ver, 0); err != nil {
			if errors.Is(err, state.ErrConflict) {
				continue
			}
			return nil, err
		}
		break
	}
	for _, t := range tags {
		if err := c.tagImage(ctx, content.ID, t); err != nil {
			return nil, err
		}
	}
	got, _, err := c.findImage(ctx, content.ID)
	return got, err
}

// tagImage points named at id, taking it from whatever image had it:
// one conditional write. An image removed meanwhile takes the tag back
// out (the remove, which deletes the record first, may have listed the
// tags before this one was written).
func (c *Core) tagImage(ctx context.Context, id string, named reference.Named) error {
	key := keyTag + named.String()
	for range maxRetries {
		old, err := c.store.Get(ctx, key)
		var expect int64
		switch {
		case err == nil:
			expect = old.Version
			if string(old.Value) == id {
				return nil
			}
		case !errors.Is(err, state.ErrNotFound):
			return err
		}
		ver, err := c.store.Put(ctx, key, []byte(id), expect, 0)
		if err != nil {
			if errors.Is(err, state.ErrConflict) {
				continue
			}
			return err
		}
		_, err = update(ctx, c, keyImage+id, func(r *imageRecord) error {
			r.RepoTags = nil // as read by an older version
			r.LastTagTime = c.now()
			return nil
		})
		if errors.Is(err, state.ErrNotFound) {
			if err := c.store.Delete(ctx, key, ver); err != nil && !isLostRace(err) {
				return err
			}
			return notFound("No such image: %s", shortID(id))
		}
		return err
	}
	return errors.New("tag: too many concurrent writers")
}

func mergeStrings(a, b []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range append(append([]string{}, a...), b...) {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}
