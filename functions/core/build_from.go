package core

import (
	"context"
	"encoding/json"
	"fmt"
	"runtime"
	"strings"

	"github.com/distribution/reference"
	dockerspec "github.com/moby/docker-image-spec/specs-go/v1"
	"github.com/moby/moby/api/types/jsonstream"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"github.com/sockerless/sockerless/functions/core/dockerfile"
)

// from starts a stage: its image (another stage's, scratch, or one
// found or pulled) and the working filesystem over it.
func (s *buildState) from(ctx context.Context, in dockerfile.Instruction) error {
	if p := in.Flags["platform"]; p != "" && !strings.HasPrefix(p, "linux/") {
		return stepErr(in, "FROM --platform="+p+" is not supported: only linux images run here", nil)
	}
	ws, err := s.words(in.Rest)
	if err != nil {
		return stepErr(in, "FROM", err)
	}
	if len(ws) != 1 && !(len(ws) == 3 && strings.EqualFold(ws[1], "AS")) {
		return stepErr(in, "FROM requires either one or three arguments", nil)
	}
	if len(ws) == 3 {
		s.name = strings.ToLower(ws[2])
	}
	// ARGs before FROM are for FROM only.
	s.args, s.argOrder = map[string]*string{}, nil
	ref := ws[0]
	baseID := ""
	if prev := s.run.stage(ref); prev != nil {
		// FROM an earlier stage: its image, kept until the build ends.
		id, err := s.run.stageImage(ctx, prev)
		if err != nil {
			return err
		}
		raw, _ := json.Marshal(prev.img)
		s.img = dockerspec.DockerOCIImage{}
		_ = json.Unmarshal(raw, &s.img)
		baseID = id
		s.out.say(" ---> %s\n", shortID(id))
	} else if ref == "scratch" {
		s.img = dockerspec.DockerOCIImage{Image: ocispec.Image{
			Platform: ocispec.Platform{OS: "linux", Architecture: runtime.GOARCH},
			RootFS:   ocispec.RootFS{Type: "layers"},
		}}
	} else {
		rec, err := s.baseImage(ctx, ref)
		if err != nil {
			return err
		}
		if s.img, err = rec.config(); err != nil {
			return fmt.Errorf("base image %s: %v", ref, err)
		}
		if len(s.img.Config.OnBuild) > 0 {
			return fmt.Errorf("base image %s has ONBUILD triggers, which this builder does not run yet", ref)
		}
		if s.img.RootFS.Type == "" {
			s.img.RootFS.Type = "layers"
		}
		baseID = rec.ID
		s.out.say(" ---> %s\n", shortID(rec.ID))
	}
	// Set from the start too, so the last step's ID is the image's
	// unless a LABEL step overrode one of them.
	s.addLabels(s.labels)
	if s.fs, err = s.run.builder.StartBuild(ctx, baseID, s.run.net); err != nil {
		return fmt.Errorf("preparing the build filesystem: %v", err)
	}
	return nil
}

// baseImage finds FROM's image, pulling it as `docker pull` would when
// it is not here.
func (s *buildState) baseImage(ctx context.Context, ref string) (*imageRecord, error) {
	rec, _, err := s.c.findImage(ctx, ref)
	if err == nil && !s.pull {
		return rec, nil
	}
	if err != nil && statusOf(err) != 404 {
		return nil, err
	}
	named, err := normalizeRef(ref)
	if err != nil {
		return nil, err
	}
	content, err := s.c.cfg.Images.Pull(ctx, named.String(), "", func(m jsonstream.Message) {
		if !s.out.quiet {
			s.out.msg(m)
		}
	})
	if err != nil {
		return nil, pullError(familiar(named), err)
	}
	var tags []reference.Named
	if _, ok := named.(reference.Digested); !ok {
		tags = append(tags, named)
	}
	return s.c.recordImage(ctx, content, tags...)
}

// arg declares ARG name[=default], taking --build-arg's value first.
func (s *buildState) arg(in dockerfile.Instruction) error {
	ws, err := s.words(in.Rest)
	if err != nil || len(ws) == 0 {
		return stepErr(in, "ARG requires at least one argument", err)
	}
	for _, w := range ws {
		name, def, hasDef := strings.Cut(w, "=")
		if name == "" {
			return stepErr(in, "ARG names can not be blank", nil)
		}
		var v *string
		if hasDef {
			v = &def
		} else if mv, ok := s.run.meta[name]; ok && s.fs != nil {
			// A stage's ARG without a default takes the value given
			// before the first FROM.
			v = mv
		}
		if given, ok := s.buildArgs[name]; ok {
			s.used[name] = true
			if given != nil {
				v = given
			}
		}
		if _, seen := s.args[name]; !seen {
			s.argOrder = append(s.argOrder, name)
		}
		s.args[name] = v
	}
	if s.fs != nil {
		s.nop(in.Original)
	}
	return nil
}

// runEnv is the image's environment plus the ARGs in scope, which a
// RUN sees but the image does not keep.
func (s *buildState) runEnv() []string {
	env := append([]string{}, s.img.Config.Env...)
	for _, k := range s.argOrder {
		v, ok := s.args[k]
		if !ok || v == nil {
			continue
		}
		if _, set := s.lookupEnv(k); !set {
			env = append(env, k+"="+*v)
		}
	}
	return env
}

func (s *buildState) lookupEnv(name string) (string, bool) {
	for _, kv := range s.img.Config.Env {
		if k, v, _ := strings.Cut(kv, "="); k == name {
			return v, true
		}
	}
	return "", false
}
