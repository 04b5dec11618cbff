package core

import (
	"context"
	"encoding/json"
	"slices"
	"strings"

	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"github.com/sockerless/sockerless/functions/core/dockerfile"
)

// This builder reuses an image of cache_from whole, as dockerd's
// classic builder would step by step: when the image's history is the
// base image's followed by exactly what each step of the Dockerfile
// records. It keeps no layer cache of its own, so a partial match
// reuses nothing, and steps whose history does not say all they did
// (COPY and ADD name no content, ARG and --build-arg values are not in
// RUN's, --label is in none) make a build that reuses nothing.

// parseCacheFrom reads the cachefrom query parameter, a JSON list.
func parseCacheFrom(v string) ([]string, error) {
	if v == "" {
		return nil, nil
	}
	var refs []string
	if err := json.Unmarshal([]byte(v), &refs); err != nil {
		return nil, invalid("invalid cachefrom: %v", err)
	}
	return refs, nil
}

// cachedImage is the ID of the image of opts.cacheFrom that building df
// would make again, or "" when there is none.
func (c *Core) cachedImage(ctx context.Context, df *dockerfile.File, opts buildOptions) string {
	if len(opts.cacheFrom) == 0 || len(opts.labels) > 0 || len(opts.buildArgs) > 0 || opts.pull || len(df.Instructions) == 0 {
		return ""
	}
	from := df.Instructions[0]
	ws := strings.Fields(from.Rest)
	if from.Cmd != "FROM" || len(ws) == 0 || strings.ContainsAny(ws[0], "$") || ws[0] == "scratch" {
		return ""
	}
	_, base, err := c.imageWithConfig(ctx, ws[0])
	if err != nil || len(base.Config.OnBuild) > 0 {
		return ""
	}
	want, ok := stepHistory(df.Instructions[1:], base.Config.Shell, df.Escape)
	if !ok {
		return ""
	}
	for _, ref := range opts.cacheFrom {
		rec, img, err := c.imageWithConfig(ctx, ref)
		if err == nil && extends(img.History, img.RootFS.DiffIDs, base.History, len(base.RootFS.DiffIDs), want) &&
			slices.Equal(img.RootFS.DiffIDs[:len(base.RootFS.DiffIDs)], base.RootFS.DiffIDs) {
			return rec.ID
		}
	}
	return ""
}

// extends says whether history (with its layers' count) is base's
// followed by want.
func extends(history []ocispec.History, diffIDs []digest.Digest, base []ocispec.History, baseLayers int, want []ocispec.History) bool {
	if len(history) != len(base)+len(want) || len(diffIDs) < baseLayers {
		return false
	}
	same := func(a, b ocispec.History) bool { return a.CreatedBy == b.CreatedBy && a.EmptyLayer == b.EmptyLayer }
	for i, h := range base {
		if !same(history[i], h) {
			return false
		}
	}
	layers := 0
	for i, h := range want {
		if !same(history[len(base)+i], h) {
			return false
		}
		if !h.EmptyLayer {
			layers++
		}
	}
	return len(diffIDs) == baseLayers+layers
}

// stepHistory is the history entry each of steps records (see
// buildState.step), when every one of them is a step whose entry says
// all it did; ok is false otherwise.
func stepHistory(steps []dockerfile.Instruction, shell []string, escape rune) (out []ocispec.History, ok bool) {
	if len(shell) == 0 {
		shell = []string{"/bin/sh", "-c"}
	}
	for _, in := range steps {
		switch in.Cmd {
		case "RUN":
			args := in.JSON
			if !in.IsJSON() {
				args = append(slices.Clone(shell), in.Rest)
			}
			if len(args) == 0 || in.Rest == "" && !in.IsJSON() {
				return nil, false
			}
			out = append(out, ocispec.History{CreatedBy: strings.Join(args, " ")})
		case "WORKDIR":
			// Only a literal absolute path: anything else is expanded
			// against the state of the build.
			dir := in.Rest
			if !strings.HasPrefix(dir, "/") || strings.ContainsAny(dir, "$ \t'\""+string(escape)) {
				return nil, false
			}
			out = append(out, ocispec.History{CreatedBy: strings.Join(shell, " ") + " #(nop) WORKDIR " + dir})
		case "SHELL":
			if !in.IsJSON() || len(in.JSON) == 0 {
				return nil, false
			}
			shell = in.JSON
			out = append(out, nopHistory(shell, in))
		case "ENV", "LABEL", "USER", "STOPSIGNAL", "MAINTAINER", "EXPOSE", "VOLUME", "CMD", "ENTRYPOINT", "HEALTHCHECK":
			out = append(out, nopHistory(shell, in))
		default:
			return nil, false
		}
	}
	return out, true
}

// nopHistory is the entry of a step that changes only the image's
// config (buildState.nop).
func nopHistory(shell []string, in dockerfile.Instruction) ocispec.History {
	return ocispec.History{CreatedBy: strings.Join(shell, " ") + " #(nop)  " + in.Original, EmptyLayer: true}
}

// reuseImage is the build of df that cachedImage found made already:
// its steps, each from the cache as dockerd says, and image id, tagged.
func (c *Core) reuseImage(ctx context.Context, id string, df *dockerfile.File, opts buildOptions, out *buildOutput) {
	n := len(df.Instructions)
	for i, in := range df.Instructions {
		out.say("Step %d/%d : %s\n", i+1, n, in.Original)
		if i > 0 {
			out.say(" ---> Using cache\n")
		}
		if i == n-1 {
			out.say(" ---> %s\n", shortID(id))
		}
	}
	for _, t := range opts.tags {
		if err := c.tagImage(ctx, id, t); err != nil {
			out.fail(err)
			return
		}
	}
	c.builtImage(ctx, id, opts, out)
}
