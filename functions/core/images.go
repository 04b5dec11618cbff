package core

import (
	"context"
	"errors"
	"net/http"
	"sort"
	"strings"

	"github.com/distribution/reference"
	"github.com/moby/moby/api/types/events"
	"github.com/moby/moby/api/types/image"
	"github.com/sockerless/sockerless/functions/call"
	"github.com/sockerless/sockerless/functions/state"
)

func (c *Core) imageInspect(ctx context.Context, in call.Call) (call.Reply, error) {
	rec, img, err := c.imageWithConfig(ctx, in.Var("name"))
	if err != nil {
		return call.Reply{}, err
	}
	created := ""
	if img.Created != nil {
		created = formatTime(*img.Created)
	}
	cfg := img.Config
	resp := image.InspectResponse{
		ID: rec.ID, RepoTags: nonNil(rec.RepoTags), RepoDigests: nonNil(rec.RepoDigests),
		Created: created, Author: img.Author, Config: &cfg,
		Architecture: img.Architecture, Variant: img.Variant, Os: img.OS, Size: rec.Size,
		RootFS:   image.RootFS{Type: "layers"},
		Metadata: image.Metadata{LastTagTime: rec.LastTagTime},
	}
	for _, d := range img.RootFS.DiffIDs {
		resp.RootFS.Layers = append(resp.RootFS.Layers, d.String())
	}
	return withLegacy(in, resp, map[string]map[string]any{"Config": legacyImageConfig, "": {"Parent": rec.Parent}}), nil
}

func (c *Core) imageList(ctx context.Context, in call.Call) (call.Reply, error) {
	f, err := parseFilters(in.Query.Get("filters"), imageFilterKeys)
	if err != nil {
		return call.Reply{}, err
	}
	if ref := in.Query.Get("filter"); ref != "" { // the pre-1.28 form
		f["reference"] = append(f["reference"], ref)
	}
	recs, err := c.images(ctx)
	if err != nil {
		return call.Reply{}, err
	}
	out := []image.Summary{}
	for _, r := range recs {
		img, err := r.config()
		if err != nil {
			continue
		}
		dangling := len(r.RepoTags) == 0
		if !f.any("dangling", func(v string) bool { return truthy(v) == dangling }) ||
			!f.labels("label", img.Config.Labels) ||
			!f.any("reference", func(v string) bool { return matchReference(v, r.RepoTags) }) {
			continue
		}
		tags, digests := nonNil(r.RepoTags), nonNil(r.RepoDigests)
		if refs := f["reference"]; len(refs) > 0 {
			// Like dockerd: show only the names the filter asked for,
			// tags and digests alike.
			tags, digests = matching(refs, r.RepoTags, nil), matching(refs, r.RepoDigests, func(d string) string {
				repo, _, _ := strings.Cut(d, "@")
				return repo
			})
		}
		var created int64
		if img.Created != nil {
			created = img.Created.Unix()
		}
		out = append(out, image.Summary{
			ID: r.ID, RepoTags: tags, RepoDigests: digests,
			Created: created, Size: r.Size, Labels: img.Config.Labels, Containers: -1, SharedSize: -1, ParentID: r.Parent,
		})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Created > out[j].Created })
	return jsonReply(http.StatusOK, out), nil
}

// matching keeps the names that one of the reference patterns matches;
// name, if set, says what of each to match.
func matching(patterns, names []string, name func(string) string) []string {
	out := []string{}
	for _, n := range names {
		m := n
		if name != nil {
			m = name(n)
		}
		for _, p := range patterns {
			if matchReference(p, []string{m}) {
				out = append(out, n)
				break
			}
		}
	}
	return out
}

// matchReference implements the reference filter: a glob over the
// familiar name, with or without the tag.
func matchReference(pattern string, tags []string) bool {
	for _, t := range tags {
		named, err := reference.ParseNormalizedNamed(t)
		if err != nil {
			continue
		}
		if ok, _ := reference.FamiliarMatch(pattern, named); ok {
			return true
		}
		if ok, _ := reference.FamiliarMatch(pattern, reference.TrimNamed(named)); ok {
			return true
		}
	}
	return false
}

func (c *Core) imageHistory(ctx context.Context, in call.Call) (call.Reply, error) {
	rec, img, err := c.imageWithConfig(ctx, in.Var("name"))
	if err != nil {
		return call.Reply{}, err
	}
	out := []image.HistoryResponseItem{}
	for i := len(img.History) - 1; i >= 0; i-- {
		h := img.History[i]
		item := image.HistoryResponseItem{ID: "<missing>", CreatedBy: h.CreatedBy, Comment: h.Comment, Tags: []string{}}
		if h.Created != nil {
			item.Created = h.Created.Unix()
		}
		out = append(out, item)
	}
	if len(out) == 0 {
		out = append(out, image.HistoryResponseItem{ID: "<missing>", Tags: []string{}})
	}
	out[0].ID, out[0].Tags = rec.ID, nonNil(rec.RepoTags)
	out[0].Size = rec.Size
	return jsonReply(http.StatusOK, out), nil
}

func (c *Core) imageTag(ctx context.Context, in call.Call) (call.Reply, error) {
	rec, _, err := c.findImage(ctx, in.Var("name"))
	if err != nil {
		return call.Reply{}, err
	}
	repo, tag := in.Query.Get("repo"), in.Query.Get("tag")
	if repo == "" {
		return call.Reply{}, invalid("repository name must have at least one component")
	}
	ref := repo
	if tag != "" {
		ref += ":" + tag
	}
	named, err := normalizeRef(ref)
	if err != nil {
		return call.Reply{}, err
	}
	if _, ok := named.(reference.Digested); ok {
		return call.Reply{}, invalid("refusing to create a tag with a digest reference")
	}
	if err := c.tagImage(ctx, rec.ID, named); err != nil {
		return call.Reply{}, err
	}
	c.emit(ctx, events.ImageEventType, events.ActionTag, rec.ID, map[string]string{"name": familiar(named)})
	return call.Reply{Status: http.StatusCreated}, nil
}

func (c *Core) imageRemove(ctx context.Context, in call.Call) (call.Reply, error) {
	ref := in.Var("name")
	rec, _, err := c.findImage(ctx, ref)
	if err != nil {
		return call.Reply{}, err
	}
	force := truthy(in.Query.Get("force"))
	out := []image.DeleteResponse{}
	named, err := normalizeRef(ref)
	byName := err == nil && !strings.HasPrefix(rec.ID, "sha256:"+strings.TrimPrefix(ref, "sha256:"))
	// A tag that is not the only one: untag and keep the image.
	if byName {
		tag := familiar(named)
		if contains(rec.RepoTags, tag) && len(rec.RepoTags) > 1 {
			if err := c.untag(ctx, rec.ID, named); err != nil {
				return call.Reply{}, err
			}
			out = append(out, image.DeleteResponse{Untagged: tag})
			return jsonReply(http.StatusOK, out), nil
		}
	} else if len(rec.RepoTags) > 1 && !force {
		return call.Reply{}, conflict("conflict: unable to delete %s (must be forced) - image is referenced in multiple repositories", shortID(rec.ID))
	}
	if user, running, err := c.imageUser(ctx, rec.ID); err != nil {
		return call.Reply{}, err
	} else if user != "" && (running || !force) {
		// Docker's two messages: by name, and by id.
		if byName && !force {
			return call.Reply{}, conflict("conflict: unable to remove repository reference %q (must force) - container %s is using its referenced image %s", ref, shortID(user), shortID(rec.ID))
		}
		how, forced := "stopped", "must be forced"
		if running {
			how, forced = "running", "cannot be forced"
		}
		return call.Reply{}, conflict("conflict: unable to delete %s (%s) - image is being used by %s container %s", shortID(rec.ID), forced, how, shortID(user))
	}
	untagged, err := c.deleteImage(ctx, rec)
	if errors.Is(err, state.ErrNotFound) {
		return call.Reply{}, noSuchImage(ref) // another remove went first
	} else if err != nil {
		return call.Reply{}, err
	}
	for _, t := range untagged {
		out = append(out, image.DeleteResponse{Untagged: t})
	}
	out = append(out, image.DeleteResponse{Deleted: rec.ID})
	return jsonReply(http.StatusOK, out), nil
}

func (c *Core) untag(ctx context.Context, id string, named reference.Named) error {
	if r, err := c.store.Get(ctx, keyTag+named.String()); err == nil && string(r.Value) == id {
		if err := c.store.Delete(ctx, keyTag+named.String(), r.Version); err != nil && !isLostRace(err) {
			return err
		}
	} else if err != nil && !errors.Is(err, state.ErrNotFound) {
		return err
	}
	c.emit(ctx, events.ImageEventType, events.ActionUnTag, id, map[string]string{"name": familiar(named)})
	return nil
}

// deleteImage removes an image: its record (the conditional delete that
// picks one winner among concurrent removes; the others get
// ErrNotFound), then the tags that still point at it, read after the
// record is gone so that a tag racing the remove is seen here or sees
// the record gone (tagImage), then its content. It returns the tags it
// removed.
func (c *Core) deleteImage(ctx context.Context, rec *imageRecord) ([]string, error) {
	r, err := c.store.Get(ctx, keyImage+rec.ID)
	if err != nil {
		return nil, err
	}
	if err := c.store.Delete(ctx, keyImage+rec.ID, r.Version); isLostRace(err) {
		return nil, state.ErrNotFound
	} else if err != nil {
		return nil, err
	}
	tags, err := c.tags(ctx)
	if err != nil {
		return nil, err
	}
	var untagged []string
	for _, t := range tags[rec.ID] {
		named, err := normalizeRef(t)
		if err != nil {
			continue
		}
		if err := c.untag(ctx, rec.ID, named); err != nil {
			return nil, err
		}
		untagged = append(untagged, t)
	}
	if err := c.cfg.Images.DeleteImage(ctx, rec.ID); err != nil {
		return nil, errorf(http.StatusInternalServerError, "image %s is removed, but not its content: %v", shortID(rec.ID), err)
	}
	c.emit(ctx, events.ImageEventType, events.ActionDelete, rec.ID, nil)
	return untagged, nil
}

// imageUser returns a container using image id, preferring a running one.
func (c *Core) imageUser(ctx context.Context, id string) (string, bool, error) {
	recs, err := listJSON[containerRecord](ctx, c, keyContainer)
	if err != nil {
		return "", false, err
	}
	user := ""
	for _, r := range recs {
		if r.ImageID == id {
			if r.running() {
				return r.ID, true, nil
			}
			user = r.ID
		}
	}
	return user, false, nil
}

func (c *Core) imagePrune(ctx context.Context, in call.Call) (call.Reply, error) {
	f, err := parseFilters(in.Query.Get("filters"), pruneFilterKeys)
	if err != nil {
		return call.Reply{}, err
	}
	onlyDangling := first(f["dangling"]) == "" || truthy(first(f["dangling"]))
	until, err := parseEventTime(first(f["until"]), c.now())
	if err != nil {
		return call.Reply{}, err
	}
	recs, err := c.images(ctx)
	if err != nil {
		return call.Reply{}, err
	}
	report := image.PruneReport{ImagesDeleted: []image.DeleteResponse{}}
	for i := range recs {
		r := &recs[i]
		if onlyDangling && len(r.RepoTags) > 0 {
			continue
		}
		img, err := r.config()
		if err != nil || !f.labels("label", img.Config.Labels) {
			continue
		}
		if !until.IsZero() && img.Created != nil && img.Created.After(until) {
			continue
		}
		if user, _, err := c.imageUser(ctx, r.ID); err != nil || user != "" {
			continue
		}
		if untagged, err := c.deleteImage(ctx, r); err == nil {
			for _, t := range untagged {
				report.ImagesDeleted = append(report.ImagesDeleted, image.DeleteResponse{Untagged: t})
			}
			report.ImagesDeleted = append(report.ImagesDeleted, image.DeleteResponse{Deleted: r.ID})
			report.SpaceReclaimed += uint64(r.Size)
		}
	}
	return jsonReply(http.StatusOK, report), nil
}

func shortID(id string) string {
	id = strings.TrimPrefix(id, "sha256:")
	if len(id) > 12 {
		return id[:12]
	}
	return id
}
