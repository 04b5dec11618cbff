package dockerfile

import (
	"fmt"
	"path"
	"strings"

	dockerspec "github.com/moby/docker-image-spec/specs-go/v1"
)

// ApplyChanges applies `docker commit --change` and `docker import
// --change` instructions to cfg, as Docker does: each is a Dockerfile
// line (CMD, ENTRYPOINT, ENV, EXPOSE, HEALTHCHECK, LABEL, ONBUILD,
// STOPSIGNAL, USER, VOLUME or WORKDIR), with variables expanded from the environment set
// so far.
func ApplyChanges(cfg *dockerspec.DockerOCIImageConfig, changes []string) error {
	for _, line := range changes {
		if strings.TrimSpace(line) == "" {
			continue
		}
		f, err := Parse(strings.NewReader(line))
		if err != nil {
			return fmt.Errorf("invalid change %q: %w", line, err)
		}
		if len(f.Instructions) != 1 {
			return fmt.Errorf("invalid change %q: want one instruction", line)
		}
		if err := applyChange(cfg, f.Instructions[0], f.Escape); err != nil {
			return fmt.Errorf("invalid change %q: %w", line, err)
		}
	}
	return nil
}

func applyChange(cfg *dockerspec.DockerOCIImageConfig, in Instruction, escape rune) error {
	lookup := func(name string) (string, bool) {
		for _, kv := range cfg.Env {
			if k, v, _ := strings.Cut(kv, "="); k == name {
				return v, true
			}
		}
		return "", false
	}
	word := func() (string, error) {
		w, err := Word(in.Rest, escape, lookup)
		if err == nil && w == "" {
			err = fmt.Errorf("%s requires exactly one argument", in.Cmd)
		}
		return w, err
	}
	var err error
	switch in.Cmd {
	case "CMD":
		cfg.Cmd = command(in, cfg.Shell)
	case "ENTRYPOINT":
		cfg.Entrypoint = command(in, cfg.Shell)
	case "ENV", "LABEL":
		var pairs [][2]string
		if pairs, err = keyValues(in, escape, lookup); err != nil {
			return err
		}
		for _, kv := range pairs {
			if in.Cmd == "ENV" {
				cfg.Env = setEnv(cfg.Env, kv[0], kv[1])
				continue
			}
			if cfg.Labels == nil {
				cfg.Labels = map[string]string{}
			}
			cfg.Labels[kv[0]] = kv[1]
		}
	case "WORKDIR":
		var dir string
		if dir, err = word(); err == nil {
			if !path.IsAbs(dir) {
				dir = path.Join("/", cfg.WorkingDir, dir)
			}
			cfg.WorkingDir = dir
		}
	case "USER":
		cfg.User, err = word()
	case "STOPSIGNAL":
		cfg.StopSignal, err = word()
	case "EXPOSE", "VOLUME":
		list := in.JSON
		if !in.IsJSON() {
			list, err = Words(in.Rest, escape, lookup)
		}
		if err == nil && len(list) == 0 {
			err = fmt.Errorf("%s requires at least one argument", in.Cmd)
		}
		for _, v := range list {
			if in.Cmd == "VOLUME" {
				if cfg.Volumes == nil {
					cfg.Volumes = map[string]struct{}{}
				}
				cfg.Volumes[v] = struct{}{}
				continue
			}
			if !strings.Contains(v, "/") {
				v += "/tcp"
			}
			if cfg.ExposedPorts == nil {
				cfg.ExposedPorts = map[string]struct{}{}
			}
			cfg.ExposedPorts[v] = struct{}{}
		}
	case "ONBUILD":
		cfg.OnBuild = append(cfg.OnBuild, in.Rest)
	case "HEALTHCHECK":
		var hc *dockerspec.HealthcheckConfig
		if hc, err = Healthcheck(in); err == nil {
			cfg.Healthcheck = hc
		}
	default:
		return fmt.Errorf("%s is not supported here; use CMD, ENTRYPOINT, ENV, EXPOSE, HEALTHCHECK, LABEL, ONBUILD, STOPSIGNAL, USER, VOLUME or WORKDIR", in.Cmd)
	}
	return err
}

// command is the exec form as written, or the shell form run by shell.
func command(in Instruction, shell []string) []string {
	if in.IsJSON() {
		return in.JSON
	}
	if len(shell) == 0 {
		shell = []string{"/bin/sh", "-c"}
	}
	return append(append([]string{}, shell...), in.Rest)
}

// keyValues reads key=value words, or the legacy "key value words".
func keyValues(in Instruction, escape rune, lookup Lookup) ([][2]string, error) {
	fields := strings.Fields(in.Rest)
	if len(fields) == 0 {
		return nil, fmt.Errorf("%s requires at least one argument", in.Cmd)
	}
	if !strings.Contains(fields[0], "=") {
		rest := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(in.Rest), fields[0]))
		if rest == "" {
			return nil, fmt.Errorf("%s must have two arguments", in.Cmd)
		}
		v, err := Word(rest, escape, lookup)
		return [][2]string{{fields[0], v}}, err
	}
	ws, err := Words(in.Rest, escape, lookup)
	if err != nil {
		return nil, err
	}
	out := make([][2]string, 0, len(ws))
	for _, w := range ws {
		k, v, ok := strings.Cut(w, "=")
		if !ok || k == "" {
			return nil, fmt.Errorf("%q is not key=value", w)
		}
		out = append(out, [2]string{k, v})
	}
	return out, nil
}

func setEnv(env []string, k, v string) []string {
	for i, kv := range env {
		if name, _, _ := strings.Cut(kv, "="); name == k {
			env = append([]string{}, env...)
			env[i] = k + "=" + v
			return env
		}
	}
	return append(env, k+"="+v)
}
