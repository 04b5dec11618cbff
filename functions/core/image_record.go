package core

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/distribution/reference"
	dockerspec "github.com/moby/docker-image-spec/specs-go/v1"
	"github.com/sockerless/sockerless/functions/state"
)

// imageRecord is the stored image: its config as the backend holds it,
// and the names that point at it.
type imageRecord struct {
	ID          string
	RepoTags    []string
	RepoDigests []string
	ConfigJSON  json.RawMessage
	Size        int64
	LastTagTime time.Time
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
// prefix) or a reference.
func (c *Core) findImage(ctx context.Context, ref string) (*imageRecord, int64, error) {
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
		if r, err := c.store.Get(ctx, keyTag+named.String()); err == nil {
			if ver, err := c.getJSON(ctx, keyImage+string(r.Value), rec); err == nil {
				return rec, ver, nil
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
	// Docker names the reference it looked for: "x" is "x:latest".
	if named, err := normalizeRef(ref); err == nil {
		ref = familiar(named)
	}
	return nil, 0, notFound("No such image: %s", ref)
}

// recordImage stores content as an image and points ref (if any) at
// it, moving the tag off any image that had it.
func (c *Core) recordImage(ctx context.Context, content ImageContent, tags ...reference.Named) (*imageRecord, error) {
	rec := &imageRecord{ID: content.ID, ConfigJSON: content.ConfigJSON, Size: content.Size, RepoDigests: content.RepoDigests}
	for {
		cur := new(imageRecord)
		ver, err := c.getJSON(ctx, keyImage+content.ID, cur)
		if err != nil && !errors.Is(err, state.ErrNotFound) {
			return nil, err
		}
		if err == nil {
			rec.RepoTags = cur.RepoTags
			rec.RepoDigests = mergeStrings(cur.RepoDigests, content.RepoDigests)
			rec.LastTagTime = cur.LastTagTime
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
	got := new(imageRecord)
	_, err := c.getJSON(ctx, keyImage+content.ID, got)
	return got, err
}

// tagImage points named at id, untagging whatever image had it.
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
		if _, err := c.store.Put(ctx, key, []byte(id), expect, 0); err != nil {
			if errors.Is(err, state.ErrConflict) {
				continue
			}
			return err
		}
		if expect != 0 {
			_, _ = c.dropTag(ctx, string(old.Value), familiar(named))
		}
		_, err = update(ctx, c, keyImage+id, func(r *imageRecord) error {
			r.RepoTags = mergeStrings(r.RepoTags, []string{familiar(named)})
			r.LastTagTime = c.now()
			return nil
		})
		return err
	}
	return errors.New("tag: too many concurrent writers")
}

// dropTag removes a familiar tag from an image record.
func (c *Core) dropTag(ctx context.Context, id, tag string) (*imageRecord, error) {
	return update(ctx, c, keyImage+id, func(r *imageRecord) error {
		out := r.RepoTags[:0]
		for _, t := range r.RepoTags {
			if t != tag {
				out = append(out, t)
			}
		}
		r.RepoTags = out
		return nil
	})
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
