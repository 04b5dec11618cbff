package core

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	dockerspec "github.com/moby/docker-image-spec/specs-go/v1"
	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"github.com/sockerless/sockerless/agent/proto"
	"github.com/sockerless/sockerless/functions/core/dockerfile"
)

// buildState is one stage's progress through the Dockerfile: its
// working filesystem, the image config so far and the variables in
// scope. What the stages share (context, output, build args) is copied
// into each.
type buildState struct {
	run    *buildRun
	name   string // the stage's name (FROM ... AS name), lower case
	c      *Core
	fs     BuildFS
	bc     *buildContext
	out    *buildOutput
	escape rune
	img    dockerspec.DockerOCIImage
	// cmdSet: this stage set CMD, so ENTRYPOINT keeps it.
	cmdSet bool
	// args are the ARGs declared so far with their values (nil: none).
	args      map[string]*string
	argOrder  []string
	buildArgs map[string]*string
	used      map[string]bool
	labels    map[string]string
	// pull: --pull, fetch FROM's image even when it is here.
	pull bool
}

// addLabels sets --label's labels, which win over the Dockerfile's.
func (s *buildState) addLabels(labels map[string]string) {
	if len(labels) == 0 {
		return
	}
	if s.img.Config.Labels == nil {
		s.img.Config.Labels = map[string]string{}
	}
	for k, v := range labels {
		s.img.Config.Labels[k] = v
	}
}

// id is the image ID the config so far would have.
func (s *buildState) id() string {
	b, _ := json.Marshal(s.img)
	sum := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// lookup finds a variable for expansion: ENV wins over ARG.
func (s *buildState) lookup(name string) (string, bool) {
	for _, kv := range s.img.Config.Env {
		if k, v, _ := strings.Cut(kv, "="); k == name {
			return v, true
		}
	}
	if v, ok := s.args[name]; ok && v != nil {
		return *v, true
	}
	return "", false
}

func (s *buildState) word(in string) (string, error) {
	return dockerfile.Word(in, s.escape, s.lookup)
}

func (s *buildState) words(in string) ([]string, error) {
	return dockerfile.Words(in, s.escape, s.lookup)
}

func (s *buildState) shell() []string {
	if len(s.img.Config.Shell) > 0 {
		return s.img.Config.Shell
	}
	return []string{"/bin/sh", "-c"}
}

// history records a step; empty says it made no layer.
func (s *buildState) history(createdBy string, empty bool) {
	now := time.Now().UTC()
	s.img.Created = &now
	s.img.History = append(s.img.History, ocispec.History{Created: &now, CreatedBy: createdBy, EmptyLayer: empty})
}

func (s *buildState) nop(text string) {
	s.history(strings.Join(s.shell(), " ")+" #(nop)  "+text, true)
}

// layer seals what the step changed as a layer of the image.
func (s *buildState) layer(ctx context.Context, createdBy string) error {
	diffID, err := s.fs.Layer(ctx)
	if err != nil {
		return err
	}
	d, err := digest.Parse(diffID)
	if err != nil {
		return err
	}
	s.img.RootFS.DiffIDs = append(s.img.RootFS.DiffIDs, d)
	s.history(createdBy, false)
	return nil
}

func (s *buildState) step(ctx context.Context, in dockerfile.Instruction) error {
	switch in.Cmd {
	case "FROM":
		return s.from(ctx, in)
	case "ARG":
		return s.arg(in)
	case "RUN":
		return s.runStep(ctx, in)
	case "COPY", "ADD":
		return s.copy(ctx, in)
	case "WORKDIR":
		dir, err := s.word(in.Rest)
		if err != nil || dir == "" {
			return stepErr(in, "WORKDIR requires exactly one argument", err)
		}
		if !strings.HasPrefix(dir, "/") {
			dir = joinPath(s.workdir(), dir)
		}
		s.img.Config.WorkingDir = dir
		if err := s.fs.MkdirAll(dir); err != nil {
			return stepErr(in, "WORKDIR "+dir, err)
		}
		return s.layer(ctx, strings.Join(s.shell(), " ")+" #(nop) WORKDIR "+dir)
	case "ENV", "LABEL":
		pairs, err := s.keyValues(in)
		if err != nil {
			return err
		}
		for _, kv := range pairs {
			if in.Cmd == "ENV" {
				s.img.Config.Env = setEnvVar(s.img.Config.Env, kv[0], kv[1])
				continue
			}
			if s.img.Config.Labels == nil {
				s.img.Config.Labels = map[string]string{}
			}
			s.img.Config.Labels[kv[0]] = kv[1]
		}
	case "USER":
		u, err := s.word(in.Rest)
		if err != nil || u == "" {
			return stepErr(in, "USER requires exactly one argument", err)
		}
		s.img.Config.User = u
	case "STOPSIGNAL":
		sig, err := s.word(in.Rest)
		if err != nil || sig == "" {
			return stepErr(in, "STOPSIGNAL requires exactly one argument", err)
		}
		s.img.Config.StopSignal = sig
	case "MAINTAINER":
		s.img.Author = in.Rest
	case "EXPOSE":
		ports, err := s.words(in.Rest)
		if err != nil || len(ports) == 0 {
			return stepErr(in, "EXPOSE requires at least one argument", err)
		}
		if s.img.Config.ExposedPorts == nil {
			s.img.Config.ExposedPorts = map[string]struct{}{}
		}
		for _, p := range ports {
			if !strings.Contains(p, "/") {
				p += "/tcp"
			}
			s.img.Config.ExposedPorts[p] = struct{}{}
		}
	case "VOLUME":
		vols := in.JSON
		if !in.IsJSON() {
			var err error
			if vols, err = s.words(in.Rest); err != nil {
				return stepErr(in, "VOLUME", err)
			}
		}
		if len(vols) == 0 {
			return stepErr(in, "VOLUME requires at least one argument", nil)
		}
		if s.img.Config.Volumes == nil {
			s.img.Config.Volumes = map[string]struct{}{}
		}
		for _, v := range vols {
			if strings.TrimSpace(v) == "" {
				return stepErr(in, "VOLUME specified can not be an empty string", nil)
			}
			s.img.Config.Volumes[v] = struct{}{}
		}
	case "HEALTHCHECK":
		if err := s.healthcheck(in); err != nil {
			return err
		}
	case "ONBUILD":
		if err := s.onbuild(in); err != nil {
			return err
		}
	case "SHELL":
		if !in.IsJSON() || len(in.JSON) == 0 {
			return stepErr(in, "SHELL requires the arguments to be in JSON form", nil)
		}
		s.img.Config.Shell = in.JSON
	case "CMD":
		s.img.Config.Cmd = s.command(in)
		s.cmdSet = true
	case "ENTRYPOINT":
		s.img.Config.Entrypoint = s.command(in)
		if !s.cmdSet {
			// An inherited CMD was written for the old entrypoint.
			s.img.Config.Cmd = nil
		}
	default:
		return stepErr(in, "unknown instruction: "+in.Cmd, nil)
	}
	s.nop(in.Original)
	return nil
}

// command is the exec form as written, or the shell form run by SHELL.
func (s *buildState) command(in dockerfile.Instruction) []string {
	if in.IsJSON() {
		return in.JSON
	}
	if in.Rest == "" {
		return nil
	}
	return append(append([]string{}, s.shell()...), in.Rest)
}

func (s *buildState) workdir() string {
	if s.img.Config.WorkingDir == "" {
		return "/"
	}
	return s.img.Config.WorkingDir
}

func stepErr(in dockerfile.Instruction, msg string, err error) error {
	if err != nil {
		msg += ": " + err.Error()
	}
	return fmt.Errorf("dockerfile line %d: %s", in.Line, msg)
}

// runStep runs RUN in the build's filesystem; what it changed becomes
// a layer.
func (s *buildState) runStep(ctx context.Context, in dockerfile.Instruction) error {
	args := s.command(in)
	if len(args) == 0 {
		return stepErr(in, "RUN requires at least one argument", nil)
	}
	out, errs := &lines{o: s.out}, &lines{o: s.out, stderr: true}
	code, err := s.fs.Run(ctx, proto.ProcessSpec{Args: args, Env: s.runEnv(), Dir: s.img.Config.WorkingDir, User: s.img.Config.User}, out, errs)
	out.flush()
	errs.flush()
	if err != nil {
		return fmt.Errorf("running %s: %v", strings.Join(args, " "), err)
	}
	if code != 0 {
		return &stepError{Code: code, Msg: fmt.Sprintf("The command '%s' returned a non-zero code: %d", strings.Join(args, " "), code)}
	}
	return s.layer(ctx, strings.Join(args, " "))
}

// keyValues parses ENV and LABEL: key=value words, or the legacy
// "key value with spaces".
func (s *buildState) keyValues(in dockerfile.Instruction) ([][2]string, error) {
	raw := strings.Fields(in.Rest)
	if len(raw) == 0 {
		return nil, stepErr(in, in.Cmd+" requires at least one argument", nil)
	}
	if !strings.Contains(raw[0], "=") {
		_, rest, _ := strings.Cut(strings.TrimSpace(in.Rest), raw[0])
		v, err := s.word(strings.TrimSpace(rest))
		if err != nil {
			return nil, stepErr(in, in.Cmd, err)
		}
		if strings.TrimSpace(rest) == "" {
			return nil, stepErr(in, in.Cmd+" must have two arguments", nil)
		}
		return [][2]string{{raw[0], v}}, nil
	}
	ws, err := s.words(in.Rest)
	if err != nil {
		return nil, stepErr(in, in.Cmd, err)
	}
	out := make([][2]string, 0, len(ws))
	for _, w := range ws {
		k, v, ok := strings.Cut(w, "=")
		if !ok || k == "" {
			return nil, stepErr(in, fmt.Sprintf("%s names can not be blank: %q is not key=value", in.Cmd, w), nil)
		}
		out = append(out, [2]string{k, v})
	}
	return out, nil
}

func setEnvVar(env []string, k, v string) []string {
	for i, kv := range env {
		if name, _, _ := strings.Cut(kv, "="); name == k {
			env[i] = k + "=" + v
			return env
		}
	}
	return append(env, k+"="+v)
}
