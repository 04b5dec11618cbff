package core

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"

	"github.com/distribution/reference"
	"github.com/moby/moby/api/types/build"
	"github.com/moby/moby/api/types/events"
	"github.com/moby/moby/api/types/jsonstream"
	"github.com/sockerless/sockerless/functions/call"
	"github.com/sockerless/sockerless/functions/core/dockerfile"
)

// buildOptions are the query parameters of POST /build this builder
// honours.
type buildOptions struct {
	dockerfile string
	tags       []reference.Named
	buildArgs  map[string]*string
	labels     map[string]string
	quiet      bool
	pull       bool
	target     string
	// cacheFrom are the images the build may reuse (build_cache.go).
	cacheFrom []string
	// network is the RUN steps' (build_network.go).
	network BuildNetwork
}

func parseBuildOptions(q url.Values) (buildOptions, error) {
	o := buildOptions{dockerfile: q.Get("dockerfile"), quiet: boolQuery(q.Get("q")), pull: boolQuery(q.Get("pull")), target: q.Get("target")}
	if o.dockerfile == "" {
		o.dockerfile = "Dockerfile"
	}
	if r := q.Get("remote"); r != "" {
		return o, errorf(http.StatusNotImplemented, "building from a remote context (%s) is not supported: clone or download it and build the directory", r)
	}
	for _, t := range q["t"] {
		named, err := normalizeRef(t)
		if err != nil {
			return o, err
		}
		if _, ok := named.(reference.Digested); ok {
			return o, invalid("invalid tag %s: a build cannot be tagged with a digest", t)
		}
		o.tags = append(o.tags, named)
	}
	var err error
	if o.cacheFrom, err = parseCacheFrom(q.Get("cachefrom")); err != nil {
		return o, err
	}
	if v := q.Get("buildargs"); v != "" {
		if err := json.Unmarshal([]byte(v), &o.buildArgs); err != nil {
			return o, invalid("invalid buildargs: %v", err)
		}
	}
	if v := q.Get("labels"); v != "" {
		if err := json.Unmarshal([]byte(v), &o.labels); err != nil {
			return o, invalid("invalid labels: %v", err)
		}
	}
	return o, nil
}

func boolQuery(v string) bool { return v == "1" || strings.EqualFold(v, "true") }

// build serves POST /build, Docker's legacy builder API: the context
// tar in the body, the Dockerfile's steps run through the backend's
// Builder, progress as JSON lines. Problems found before the first
// step are plain errors; after it, they end the stream as Docker's do
// (HTTP 200, errorDetail), and the CLI exits with their code. Where the
// backend can run the build as a job (BuildJobs), the progress streams
// while the build runs; a follow-up call carries the stream's cursor.
func (c *Core) build(ctx context.Context, in call.Call) (call.Reply, error) {
	builder, ok := c.cfg.Images.(Builder)
	if !ok {
		return call.Reply{}, errorf(http.StatusNotImplemented,
			"docker build is not supported by the %s backend yet: build the image elsewhere and bring it in with `docker load`, or make a root filesystem and `docker import` it", c.cfg.Backend)
	}
	if cursor := in.Query.Get(call.QueryCursor); cursor != "" {
		jobs, ok := builder.(BuildJobs)
		if !ok {
			return call.Reply{}, invalid("the %s backend runs builds within one call: there is no build to follow", c.cfg.Backend)
		}
		return c.buildProgress(ctx, jobs, cursor, in.Query.Has(call.QueryCancel))
	}
	opts, err := parseBuildOptions(in.Query)
	if err != nil {
		return call.Reply{}, err
	}
	if opts.network, err = c.buildNetwork(ctx, in.Query); err != nil {
		return call.Reply{}, err
	}
	bc, err := readContext(in.Body)
	if err != nil {
		return call.Reply{}, invalid("%v", err)
	}
	src, ok := bc.file(opts.dockerfile)
	if !ok {
		return call.Reply{}, invalid("Cannot locate specified Dockerfile: %s", opts.dockerfile)
	}
	df, err := dockerfile.Parse(bytes.NewReader(src))
	if errors.Is(err, dockerfile.ErrEmpty) {
		return call.Reply{}, invalid("the Dockerfile (%s) cannot be empty", opts.dockerfile)
	}
	if err != nil {
		return call.Reply{}, invalid("%v", err)
	}
	if err := checkDockerfile(df, opts.target); err != nil {
		return call.Reply{}, err
	}
	if err := bc.applyIgnore(); err != nil {
		return call.Reply{}, invalid("%v", err)
	}

	out := newBuildOutput(opts.quiet)
	run := func(ctx context.Context) { c.runBuildTo(ctx, builder, df, bc, opts, out) }
	if jobs, ok := builder.(BuildJobs); ok {
		return c.startBuildJob(jobs, out, run), nil
	}
	run(ctx)
	return out.reply(), nil
}

// runBuildTo runs the build and records its image, writing every
// message, the final ones included, to out.
func (c *Core) runBuildTo(ctx context.Context, builder Builder, df *dockerfile.File, bc *buildContext, opts buildOptions, out *buildOutput) {
	if id := c.cachedImage(ctx, df, opts); id != "" {
		c.reuseImage(ctx, id, df, opts, out)
		return
	}
	content, run, err := c.runBuild(ctx, builder, df, bc, opts, out)
	defer func() { run.close(ctx, content.ID) }()
	if err != nil {
		out.fail(err)
		return
	}
	if _, err := c.recordImage(ctx, content, opts.tags...); err != nil {
		if _, _, ferr := c.findImage(ctx, content.ID); ferr != nil {
			_ = c.cfg.Images.DeleteImage(context.WithoutCancel(ctx), content.ID)
		}
		out.fail(err)
		return
	}
	c.builtImage(ctx, content.ID, opts, out)
}

// builtImage ends a build's stream with its image, tagged.
func (c *Core) builtImage(ctx context.Context, id string, opts buildOptions, out *buildOutput) {
	for _, t := range opts.tags {
		c.emit(ctx, events.ImageEventType, events.ActionTag, id, map[string]string{"name": familiar(t)})
	}
	out.result(id)
	if opts.quiet {
		out.msg(jsonstream.Message{Stream: id + "\n"})
		return
	}
	out.msg(jsonstream.Message{Stream: fmt.Sprintf("Successfully built %s\n", shortID(id))})
	for _, t := range opts.tags {
		out.msg(jsonstream.Message{Stream: fmt.Sprintf("Successfully tagged %s\n", familiar(t))})
	}
}

// checkDockerfile refuses, before any step runs, what this builder
// cannot do or the Dockerfile gets wrong, so a build never half-runs
// into it.
func checkDockerfile(df *dockerfile.File, target string) error {
	froms := 0
	names := map[string]bool{}
	for _, in := range df.Instructions {
		switch in.Cmd {
		case "FROM":
			froms++
			if n := stageName(in); n != "" {
				if names[n] {
					return invalid("dockerfile line %d: duplicate name %s", in.Line, n)
				}
				names[n] = true
			}
			for k := range in.Flags {
				if k != "platform" {
					return invalid("dockerfile line %d: unknown flag: --%s", in.Line, k)
				}
			}
			continue
		case "ARG":
			continue
		case "RUN", "COPY", "ADD", "ENV", "WORKDIR", "USER", "LABEL", "EXPOSE", "ENTRYPOINT", "CMD", "VOLUME", "STOPSIGNAL", "SHELL", "MAINTAINER", "HEALTHCHECK", "ONBUILD":
		default:
			return invalid("dockerfile parse error on line %d: unknown instruction: %s", in.Line, in.Cmd)
		}
		if froms == 0 {
			return invalid("dockerfile line %d: %s comes before FROM: only ARG may", in.Line, in.Cmd)
		}
		if in.Cmd == "RUN" {
			for k := range in.Flags {
				// --mount, --network and --security are BuildKit's.
				return errorf(http.StatusNotImplemented, "dockerfile line %d: RUN --%s needs BuildKit, which this builder is not", in.Line, k)
			}
		}
	}
	if froms == 0 {
		return invalid("the Dockerfile has no FROM instruction")
	}
	if target != "" && !names[strings.ToLower(target)] {
		return invalid("failed to reach build target %s in Dockerfile", target)
	}
	return nil
}

// buildMessage is Docker's build stream line: jsonstream.Message plus
// the legacy top-level "error" that old clients read.
type buildMessage struct {
	jsonstream.Message
	ErrorMessage string `json:"error,omitempty"`
}

// buildOutput collects the build's JSON lines. Without a job (see
// BuildJobs) the envelope carries them as one body when the build
// ends; a job's writer takes them as they come, woken by wake.
type buildOutput struct {
	mu    sync.Mutex
	buf   bytes.Buffer
	enc   *json.Encoder
	quiet bool
	wake  chan struct{} // nil: nobody takes lines before the end
}

func newBuildOutput(quiet bool) *buildOutput {
	o := &buildOutput{quiet: quiet}
	o.enc = json.NewEncoder(&o.buf)
	return o
}

func (o *buildOutput) msg(m jsonstream.Message) { o.put(buildMessage{Message: m}) }

func (o *buildOutput) put(m buildMessage) {
	o.mu.Lock()
	_ = o.enc.Encode(m)
	o.mu.Unlock()
	if o.wake != nil {
		select {
		case o.wake <- struct{}{}:
		default: // a wake-up is pending already
		}
	}
}

// take returns the lines written since the last take.
func (o *buildOutput) take() []byte {
	o.mu.Lock()
	defer o.mu.Unlock()
	b := bytes.Clone(o.buf.Bytes())
	o.buf.Reset()
	return b
}

// say writes progress text, which -q suppresses.
func (o *buildOutput) say(format string, args ...any) {
	if !o.quiet {
		o.msg(jsonstream.Message{Stream: fmt.Sprintf(format, args...)})
	}
}

// lines gathers a step's process output into whole lines, so the
// stream has one message per line however the process wrote.
type lines struct {
	mu  sync.Mutex
	o   *buildOutput
	buf []byte
	// stderr marks a RUN's stderr, which dockerd's builder shows in
	// red: each chunk between its terminal's colour codes.
	stderr bool
}

// Terminal codes around a RUN's stderr in the build stream.
const (
	stderrStart = "\x1b[91m"
	stderrEnd   = "\x1b[0m"
)

func (l *lines) say(text []byte) {
	if l.stderr {
		l.o.say("%s%s%s", stderrStart, text, stderrEnd)
		return
	}
	l.o.say("%s", text)
}

func (l *lines) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.buf = append(l.buf, p...)
	if i := bytes.LastIndexByte(l.buf, '\n'); i >= 0 {
		l.say(l.buf[:i+1])
		l.buf = append(l.buf[:0], l.buf[i+1:]...)
	}
	return len(p), nil
}

// flush writes what is left of an unfinished last line.
func (l *lines) flush() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.buf) > 0 {
		l.say(append(l.buf, '\n'))
		l.buf = nil
	}
}

func (o *buildOutput) result(id string) {
	raw, _ := json.Marshal(build.Result{ID: id})
	aux := json.RawMessage(raw)
	o.msg(jsonstream.Message{Aux: &aux})
}

// stepError is a failed step; Code is the exit code of a RUN.
type stepError struct {
	Code int
	Msg  string
}

func (e *stepError) Error() string { return e.Msg }

// fail ends the stream with err, as Docker's builder does.
func (o *buildOutput) fail(err error) {
	code := 1
	var se *stepError
	if errors.As(err, &se) && se.Code != 0 {
		code = se.Code
	}
	o.put(buildMessage{Message: jsonstream.Message{Error: &jsonstream.Error{Code: code, Message: err.Error()}}, ErrorMessage: err.Error()})
}

func (o *buildOutput) reply() call.Reply {
	return call.Reply{Status: http.StatusOK, Header: jsonHeader(), Body: o.buf.Bytes()}
}

// buildPrune has nothing to prune: this builder keeps no cache.
func (c *Core) buildPrune(ctx context.Context, in call.Call) (call.Reply, error) {
	if _, err := parseFilters(in.Query.Get("filters"), []string{"until", "id", "parent", "type", "description", "inuse", "shared", "private", "label", "label!"}); err != nil {
		return call.Reply{}, err
	}
	return jsonReply(http.StatusOK, build.CachePruneReport{CachesDeleted: []string{}}), nil
}
