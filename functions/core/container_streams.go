package core

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strconv"

	"github.com/sockerless/sockerless/agent/proto"
	"github.com/sockerless/sockerless/functions/call"
)

// ErrUnsupported is what a Compute returns for what its platform cannot do.
var ErrUnsupported = errors.New("not supported by this backend")

func (c *Core) containerTop(ctx context.Context, in call.Call) (call.Reply, error) {
	rec, err := c.runningContainer(ctx, in.Var("name"))
	if err != nil {
		return call.Reply{}, err
	}
	if !rec.running() {
		return call.Reply{}, conflict("container %s is not running", rec.ID)
	}
	return call.Reply{Status: http.StatusOK, Stream: &call.Stream{
		Kind: call.StreamTop, Container: rec.ID, PSArgs: in.Query.Get("ps_args"), Running: true,
	}}, nil
}

func (c *Core) containerResize(ctx context.Context, in call.Call) (call.Reply, error) {
	rec, err := c.runningContainer(ctx, in.Var("name"))
	if err != nil {
		return call.Reply{}, err
	}
	h, w, err := parseSize(in)
	if err != nil {
		return call.Reply{}, err
	}
	if !rec.running() {
		return call.Reply{}, conflict("container %s is not running", rec.ID)
	}
	return call.Reply{Status: http.StatusOK, Stream: &call.Stream{
		Kind: call.StreamResize, Container: rec.ID, Height: h, Width: w, Running: true,
	}}, nil
}

func parseSize(in call.Call) (uint, uint, error) {
	h, err1 := strconv.ParseUint(in.Query.Get("h"), 10, 16)
	w, err2 := strconv.ParseUint(in.Query.Get("w"), 10, 16)
	if err1 != nil || err2 != nil {
		return 0, 0, invalid("invalid resize: h and w must be integers")
	}
	return uint(h), uint(w), nil
}

// containerArchive serves GET, HEAD and PUT /containers/{id}/archive:
// through the agent while the container runs, through the driver's
// view of its filesystem when it does not.
func (c *Core) containerArchive(ctx context.Context, in call.Call) (call.Reply, error) {
	path := in.Query.Get("path")
	if path == "" {
		return call.Reply{}, invalid("path is required: set the path query parameter")
	}
	rec, err := c.runningContainer(ctx, in.Var("name"))
	if err != nil {
		return call.Reply{}, err
	}
	method := in.Header.Get(call.MethodHeader)
	kind := map[string]call.StreamKind{
		http.MethodGet: call.StreamArchiveGet, http.MethodHead: call.StreamArchiveStat, http.MethodPut: call.StreamArchivePut,
	}[method]
	if kind == "" {
		return call.Reply{}, invalid("archive: unsupported method %q", method)
	}
	// A copy into a stopped container lands where its next start sees
	// it (its volumes, a staged layer), not in a lingering workload.
	if rec.running() || kind != call.StreamArchivePut && c.lingering(ctx, rec.ID) {
		return call.Reply{Status: http.StatusOK, Stream: &call.Stream{
			Kind: kind, Container: rec.ID, Path: path, Running: true,
		}}, nil
	}
	fr, ok := c.cfg.Compute.(FileReacher)
	if !ok {
		return call.Reply{}, conflict("container %s is not running, and the %s backend cannot reach a stopped container's files", rec.ID[:12], c.cfg.Backend)
	}
	files, err := fr.Files(ctx, c.workload(rec, ""))
	if errors.Is(err, ErrUnsupported) {
		return call.Reply{}, conflict("container %s is not running, and %v%s", rec.ID[:12], err, c.lingerNote())
	}
	if err != nil {
		return call.Reply{}, err
	}
	switch kind {
	case call.StreamArchivePut:
		if held, ok := call.HeldBody(in); ok {
			return call.Reply{}, errorf(http.StatusRequestEntityTooLarge,
				"the %d-byte archive is too large to reach the %s backend's function, which must write it because container %s is not running; start the container to copy large archives into it, or send less", held, c.cfg.Backend, rec.ID[:12])
		}
		if err := files.Put(path, bytes.NewReader(in.Body), truthy(in.Query.Get("noOverwriteDirNonDir"))); err != nil {
			return call.Reply{}, archiveError(err, path, rec.ID, c.lingerNote())
		}
		return call.Reply{Status: http.StatusOK}, nil
	case call.StreamArchiveStat:
		st, err := files.Stat(path)
		if err != nil {
			return call.Reply{}, archiveError(err, path, rec.ID, c.lingerNote())
		}
		return call.Reply{Status: http.StatusOK, Header: statHeader(st)}, nil
	default:
		var buf bytes.Buffer
		st, err := files.Get(path, &buf)
		if err != nil {
			return call.Reply{}, archiveError(err, path, rec.ID, c.lingerNote())
		}
		h := statHeader(st)
		h.Set("Content-Type", "application/x-tar")
		return call.Reply{Status: http.StatusOK, Header: h, Body: buf.Bytes()}, nil
	}
}

// archiveError is err of a stopped container's files as Docker's error;
// note says how long a lingering backend kept the rest.
func archiveError(err error, path, id, note string) error {
	if errors.Is(err, proto.ErrNotFound) || errors.Is(err, os.ErrNotExist) {
		return notFound("Could not find the file %s in container %s", path, id)
	}
	if errors.Is(err, ErrUnsupported) {
		return conflict("container %s is not running, and %v%s", id[:12], err, note)
	}
	return errorf(http.StatusBadRequest, "%v", err)
}

// statHeader is X-Docker-Container-Path-Stat: base64 JSON.
func statHeader(st proto.PathStat) http.Header {
	b, _ := json.Marshal(st)
	return http.Header{"X-Docker-Container-Path-Stat": {base64.StdEncoding.EncodeToString(b)}}
}

// lingering reports whether the stopped container id's workload still
// serves its files (see Lingerer).
func (c *Core) lingering(ctx context.Context, id string) bool {
	if !c.lingers() {
		return false
	}
	st, err := c.compute.Status(ctx, id)
	return err == nil && st.Known && st.Running
}

// lingers reports whether the backend's workloads outlive main's exit.
func (c *Core) lingers() bool {
	l, ok := c.cfg.Compute.(Lingerer)
	if !ok {
		return false
	}
	d, _ := l.Linger()
	return d > 0
}

// lingerNote tells a copy out of a stopped container that came too late
// how long its files were kept; "" on a backend that does not keep them.
func (c *Core) lingerNote() string {
	l, ok := c.cfg.Compute.(Lingerer)
	if !ok {
		return ""
	}
	d, setting := l.Linger()
	if d <= 0 {
		return fmt.Sprintf("; the backend keeps no other file once the container exits (%s sets how long it keeps them)", setting)
	}
	return fmt.Sprintf("; the backend keeps its other files for %s after it exits (%s sets how long), and they are gone", d, setting)
}
