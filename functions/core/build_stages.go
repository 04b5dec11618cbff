package core

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/sockerless/sockerless/functions/core/dockerfile"
)

// buildRun is one build across its stages: the finished stages, whose
// filesystems stay open for COPY --from, and the images and
// filesystems made along the way, dropped when the build ends.
type buildRun struct {
	c       *Core
	builder Builder
	net     BuildNetwork
	out     *buildOutput
	// meta are the ARGs declared before the first FROM.
	meta   map[string]*string
	stages []*buildState
	// temps are images committed for FROM <stage>; extra are
	// filesystems opened for COPY --from=<image>.
	temps []string
	extra []BuildFS
}

// stage finds a finished stage by name or index.
func (r *buildRun) stage(ref string) *buildState {
	for _, st := range r.stages {
		if st.name != "" && st.name == strings.ToLower(ref) {
			return st
		}
	}
	if n, err := strconv.Atoi(ref); err == nil && n >= 0 && n < len(r.stages) {
		return r.stages[n]
	}
	return nil
}

// stageImage commits a finished stage's image so another stage can
// start FROM it. The image is in the backend's store only, never
// recorded, and goes when the build ends.
func (r *buildRun) stageImage(ctx context.Context, st *buildState) (string, error) {
	cfg, err := json.Marshal(st.img)
	if err != nil {
		return "", err
	}
	content, err := st.fs.Commit(ctx, cfg)
	if err != nil {
		return "", fmt.Errorf("keeping stage %q: %v", st.name, err)
	}
	r.temps = append(r.temps, content.ID)
	return content.ID, nil
}

// sourceFS is what COPY --from names: an earlier stage, or an image.
func (r *buildRun) sourceFS(ctx context.Context, s *buildState, ref string) (BuildFS, error) {
	if st := r.stage(ref); st != nil {
		return st.fs, nil
	}
	rec, err := s.baseImage(ctx, ref)
	if err != nil {
		return nil, err
	}
	fs, err := r.builder.StartBuild(ctx, rec.ID, r.net)
	if err != nil {
		return nil, err
	}
	r.extra = append(r.extra, fs)
	return fs, nil
}

// close drops every stage's filesystem and the images made for FROM
// <stage>, except keep and anything the store records.
func (r *buildRun) close(ctx context.Context, keep string) {
	for _, st := range r.stages {
		if st.fs != nil {
			_ = st.fs.Close()
		}
	}
	for _, fs := range r.extra {
		_ = fs.Close()
	}
	ctx = context.WithoutCancel(ctx)
	for _, id := range r.temps {
		if id == keep {
			continue
		}
		if _, _, err := r.c.findImage(ctx, id); err == nil {
			continue
		}
		_ = r.c.cfg.Images.DeleteImage(ctx, id)
	}
}

// runBuild runs the instructions, stage by stage up to target (the last
// stage when ""), and commits the target's image. Nothing is recorded
// in the store here; the caller closes the returned run when done.
func (c *Core) runBuild(ctx context.Context, builder Builder, df *dockerfile.File, bc *buildContext, opts buildOptions, out *buildOutput) (ImageContent, *buildRun, error) {
	run := &buildRun{c: c, builder: builder, net: opts.network, out: out}
	used := map[string]bool{}
	if opts.buildArgs == nil {
		opts.buildArgs = map[string]*string{}
	}
	newStage := func() *buildState {
		return &buildState{run: run, c: c, bc: bc, out: out, escape: df.Escape, args: map[string]*string{}, buildArgs: opts.buildArgs, used: used, labels: opts.labels, pull: opts.pull}
	}
	instrs := df.Instructions
	if opts.target != "" {
		instrs = upToTarget(instrs, opts.target)
	}
	s := newStage()
	for i, in := range instrs {
		if in.Cmd == "FROM" && s.fs == nil && run.meta == nil {
			run.meta = s.args
		}
		if in.Cmd == "FROM" && s.fs != nil {
			run.stages = append(run.stages, s)
			s = newStage()
			for k, v := range run.meta {
				s.args[k] = v // for FROM's expansion
			}
		}
		out.say("Step %d/%d : %s\n", i+1, len(instrs), in.Original)
		if err := s.step(ctx, in); err != nil {
			run.stages = append(run.stages, s)
			return ImageContent{}, run, err
		}
		if in.Cmd != "FROM" && s.fs != nil {
			out.say(" ---> %s\n", shortID(s.id()))
		}
	}
	run.stages = append(run.stages, s)
	s.addLabels(opts.labels)
	var unused []string
	for k := range opts.buildArgs {
		if !used[k] {
			unused = append(unused, k)
		}
	}
	if len(unused) > 0 {
		out.say("[Warning] One or more build-args %v were not consumed\n", unused)
	}
	cfg, err := json.Marshal(s.img)
	if err != nil {
		return ImageContent{}, run, err
	}
	content, err := s.fs.Commit(ctx, cfg)
	return content, run, err
}

// upToTarget keeps the instructions up to the end of the stage named
// target (checkDockerfile made sure it exists).
func upToTarget(instrs []dockerfile.Instruction, target string) []dockerfile.Instruction {
	in := false
	for i, ins := range instrs {
		if ins.Cmd != "FROM" {
			continue
		}
		if in {
			return instrs[:i]
		}
		in = strings.EqualFold(stageName(ins), target)
	}
	return instrs
}

// stageName is the name a FROM gives its stage ("" when none).
func stageName(in dockerfile.Instruction) string {
	f := strings.Fields(in.Rest)
	if len(f) == 3 && strings.EqualFold(f[1], "AS") {
		return strings.ToLower(f[2])
	}
	return ""
}
