package core

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/distribution/reference"
	"github.com/moby/moby/api/types/events"
	"github.com/moby/moby/api/types/jsonstream"
	"github.com/sockerless/sockerless/functions/call"
)

// imageCreate serves POST /images/create: a pull (fromImage) or an
// import (fromSrc=-). Progress is Docker's JSON message stream.
func (c *Core) imageCreate(ctx context.Context, in call.Call) (call.Reply, error) {
	q := in.Query
	if src := q.Get("fromSrc"); src != "" {
		return c.imageImport(ctx, in, src)
	}
	from := q.Get("fromImage")
	if from == "" {
		return call.Reply{}, invalid("fromImage or fromSrc is required")
	}
	if tag := q.Get("tag"); tag != "" {
		if strings.HasPrefix(tag, "sha256:") {
			from += "@" + tag
		} else {
			from += ":" + tag
		}
	}
	named, err := normalizeRef(from)
	if err != nil {
		return call.Reply{}, err
	}
	var out bytes.Buffer
	enc := json.NewEncoder(&out)
	content, err := c.cfg.Images.Pull(ctx, named.String(), in.Header.Get("X-Registry-Auth"), func(m jsonstream.Message) {
		_ = enc.Encode(m)
	})
	if err != nil {
		// Nothing streamed yet from the client's view: a plain error
		// reply makes the CLI print it and exit non-zero.
		return call.Reply{}, pullError(familiar(named), err)
	}
	tags := []reference.Named{}
	if _, ok := named.(reference.Digested); !ok {
		tags = append(tags, named)
	}
	body := out.Bytes()
	if known, _, err := c.findImage(ctx, content.ID); err == nil && len(content.RepoDigests) > 0 && slices.Contains(known.RepoDigests, content.RepoDigests[0]) {
		// The same image from the same repository: nothing new, as
		// dockerd says (backends that keep no layers cannot tell).
		body = bytes.Replace(body, []byte("Status: Downloaded newer image for "), []byte("Status: Image is up to date for "), 1)
	}
	if _, err := c.recordImage(ctx, content, tags...); err != nil {
		return call.Reply{}, err
	}
	c.emit(ctx, events.ImageEventType, events.ActionPull, familiar(named), map[string]string{"name": familiar(named)})
	return call.Reply{Status: http.StatusOK, Header: jsonHeader(), Body: body}, nil
}

// pullError keeps the registry's reason and says what to do.
func pullError(ref string, err error) error {
	msg := err.Error()
	switch {
	case errors.Is(err, ErrUnsupported):
		return errorf(http.StatusNotImplemented, "%v", err)
	case strings.Contains(msg, "MANIFEST_UNKNOWN"), strings.Contains(msg, "NAME_UNKNOWN"), strings.Contains(msg, "manifest unknown"):
		return notFound("manifest for %s not found: manifest unknown: %v", ref, err)
	case strings.Contains(msg, "UNAUTHORIZED"), strings.Contains(msg, "DENIED"):
		return errorf(http.StatusUnauthorized, "pull access denied for %s, repository does not exist or may require 'docker login': %v", ref, err)
	case strings.Contains(msg, "no such host"), strings.Contains(msg, "connection refused"), strings.Contains(msg, "i/o timeout"), strings.Contains(msg, "network is unreachable"):
		return errorf(http.StatusInternalServerError, "%v (the registry cannot be reached: without one, bring images in with `docker load` or `docker import`)", err)
	}
	return errorf(http.StatusInternalServerError, "%v", err)
}

// transferError is a failed import or load: the backend cannot (501),
// or the input was bad (400).
func transferError(what string, err error) error {
	if errors.Is(err, ErrUnsupported) {
		return errorf(http.StatusNotImplemented, "%v", err)
	}
	return invalid("%s: %v", what, err)
}

func (c *Core) imageImport(ctx context.Context, in call.Call, src string) (call.Reply, error) {
	if src != "-" {
		return call.Reply{}, errorf(http.StatusNotImplemented, "importing from a URL is not supported: download the file and pipe it to `docker import - NAME`")
	}
	var tags []reference.Named
	if repo := in.Query.Get("repo"); repo != "" {
		ref := repo
		if tag := in.Query.Get("tag"); tag != "" {
			ref += ":" + tag
		}
		named, err := normalizeRef(ref)
		if err != nil {
			return call.Reply{}, err
		}
		tags = append(tags, named)
	}
	content, err := c.cfg.Images.Import(ctx, bytes.NewReader(in.Body), in.Query["changes"], in.Query.Get("platform"))
	if err != nil {
		return call.Reply{}, transferError("import", err)
	}
	if _, err := c.recordImage(ctx, content, tags...); err != nil {
		return call.Reply{}, err
	}
	c.emit(ctx, events.ImageEventType, events.ActionImport, content.ID, nil)
	body, _ := json.Marshal(jsonstream.Message{Status: content.ID})
	return call.Reply{Status: http.StatusOK, Header: jsonHeader(), Body: append(body, '\n')}, nil
}

func (c *Core) imageLoad(ctx context.Context, in call.Call) (call.Reply, error) {
	loaded, err := c.cfg.Images.Load(ctx, bytes.NewReader(in.Body))
	if errors.Is(err, ErrUnsupported) {
		return call.Reply{}, transferError("load", err)
	}
	if err != nil {
		// dockerd answers 200 once it reads the archive, and an archive
		// it cannot load is an error line in the stream, which clients
		// read as the load's failure (docker-py's ImageLoadError).
		msg := "load: " + err.Error()
		line, _ := json.Marshal(buildMessage{Message: jsonstream.Message{Error: &jsonstream.Error{Message: msg}}, ErrorMessage: msg})
		return call.Reply{Status: http.StatusOK, Header: jsonHeader(), Body: append(line, '\n')}, nil
	}
	var out bytes.Buffer
	enc := json.NewEncoder(&out)
	for _, l := range loaded {
		var tags []reference.Named
		for _, t := range l.RepoTags {
			named, err := normalizeRef(t)
			if err != nil {
				return call.Reply{}, err
			}
			tags = append(tags, named)
		}
		if _, err := c.recordImage(ctx, l.ImageContent, tags...); err != nil {
			return call.Reply{}, err
		}
		c.emit(ctx, events.ImageEventType, events.ActionLoad, l.ID, nil)
		if len(tags) == 0 {
			_ = enc.Encode(jsonstream.Message{Stream: fmt.Sprintf("Loaded image ID: %s\n", l.ID)})
		}
		for _, t := range tags {
			_ = enc.Encode(jsonstream.Message{Stream: fmt.Sprintf("Loaded image: %s\n", familiar(t))})
		}
	}
	return call.Reply{Status: http.StatusOK, Header: jsonHeader(), Body: out.Bytes()}, nil
}

func (c *Core) imageSave(ctx context.Context, in call.Call) (call.Reply, error) {
	names := in.Query["names"]
	if n := in.Var("name"); n != "" {
		names = []string{n}
	}
	if len(names) == 0 {
		return call.Reply{}, invalid("no images specified: set names")
	}
	var imgs []SavedImage
	for _, n := range names {
		rec, _, err := c.findImage(ctx, n)
		if err != nil {
			return call.Reply{}, err
		}
		si := SavedImage{ID: rec.ID}
		if named, err := normalizeRef(n); err == nil && contains(rec.RepoTags, familiar(named)) {
			si.RepoTags = []string{familiar(named)}
		} else if !strings.HasPrefix(n, "sha256:") && !isHexPrefix(n) {
			si.RepoTags = rec.RepoTags
		}
		imgs = append(imgs, si)
	}
	var buf bytes.Buffer
	if err := c.cfg.Images.Save(ctx, &buf, imgs); err != nil {
		if errors.Is(err, ErrUnsupported) {
			return call.Reply{}, errorf(http.StatusNotImplemented, "%v", err)
		}
		return call.Reply{}, errorf(http.StatusInternalServerError, "save: %v", err)
	}
	return call.Reply{Status: http.StatusOK, Header: http.Header{"Content-Type": {"application/x-tar"}}, Body: buf.Bytes()}, nil
}
