package content

import (
	"encoding/json"
	"fmt"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// applyChanges applies Dockerfile-like instructions ("CMD [...]",
// "ENV A=1", ...) to cfg, as `docker import --change` and
// `docker commit --change` do.
func applyChanges(cfg *v1.Config, changes []string) error {
	for _, line := range changes {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		instr, rest, _ := strings.Cut(line, " ")
		rest = strings.TrimSpace(rest)
		if err := applyChange(cfg, strings.ToUpper(instr), rest); err != nil {
			return fmt.Errorf("invalid change %q: %w", line, err)
		}
	}
	return nil
}

func applyChange(cfg *v1.Config, instr, rest string) error {
	if rest == "" {
		return fmt.Errorf("%s needs an argument", instr)
	}
	switch instr {
	case "CMD":
		cmd, err := command(rest)
		cfg.Cmd = cmd
		return err
	case "ENTRYPOINT":
		ep, err := command(rest)
		cfg.Entrypoint = ep
		return err
	case "ENV":
		pairs, err := keyValues(rest)
		if err != nil {
			return err
		}
		for _, kv := range pairs {
			cfg.Env = setEnv(cfg.Env, kv[0], kv[1])
		}
	case "LABEL":
		pairs, err := keyValues(rest)
		if err != nil {
			return err
		}
		if cfg.Labels == nil {
			cfg.Labels = map[string]string{}
		}
		for _, kv := range pairs {
			cfg.Labels[kv[0]] = kv[1]
		}
	case "WORKDIR":
		cfg.WorkingDir = rest
	case "USER":
		cfg.User = rest
	case "STOPSIGNAL":
		cfg.StopSignal = rest
	case "EXPOSE":
		if cfg.ExposedPorts == nil {
			cfg.ExposedPorts = map[string]struct{}{}
		}
		for _, p := range strings.Fields(rest) {
			if !strings.Contains(p, "/") {
				p += "/tcp"
			}
			cfg.ExposedPorts[p] = struct{}{}
		}
	case "VOLUME":
		vols, err := list(rest)
		if err != nil {
			return err
		}
		if cfg.Volumes == nil {
			cfg.Volumes = map[string]struct{}{}
		}
		for _, v := range vols {
			cfg.Volumes[v] = struct{}{}
		}
	case "ONBUILD":
		cfg.OnBuild = append(cfg.OnBuild, rest)
	default:
		return fmt.Errorf("%s is not supported; use CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, ONBUILD, STOPSIGNAL, USER, VOLUME or WORKDIR", instr)
	}
	return nil
}

// command parses the JSON (exec) form or wraps the shell form.
func command(rest string) ([]string, error) {
	if strings.HasPrefix(rest, "[") {
		var args []string
		if err := json.Unmarshal([]byte(rest), &args); err != nil {
			return nil, fmt.Errorf("bad JSON array: %w", err)
		}
		return args, nil
	}
	if rest == "" {
		return nil, fmt.Errorf("empty command")
	}
	return []string{"/bin/sh", "-c", rest}, nil
}

// list parses a JSON array or whitespace-separated words.
func list(rest string) ([]string, error) {
	if strings.HasPrefix(rest, "[") {
		var out []string
		if err := json.Unmarshal([]byte(rest), &out); err != nil {
			return nil, fmt.Errorf("bad JSON array: %w", err)
		}
		return out, nil
	}
	return words(rest)
}

// keyValues parses "k=v k2='v 2'" or the legacy single "k v v v" form.
func keyValues(rest string) ([][2]string, error) {
	ws, err := words(rest)
	if err != nil {
		return nil, err
	}
	if len(ws) == 0 {
		return nil, fmt.Errorf("missing key")
	}
	if !strings.Contains(ws[0], "=") {
		// Legacy form: the first word is the key, the rest the value,
		// kept as written.
		key, value, _ := strings.Cut(rest, " ")
		return [][2]string{{key, strings.TrimSpace(value)}}, nil
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

// words splits on blanks, honouring single and double quotes and
// backslash escapes the way a Dockerfile does.
func words(s string) ([]string, error) {
	var (
		out   []string
		cur   strings.Builder
		in    bool
		quote rune
	)
	rs := []rune(s)
	for i := 0; i < len(rs); i++ {
		c := rs[i]
		switch {
		case c == '\\' && quote != '\'' && i+1 < len(rs):
			i++
			cur.WriteRune(rs[i])
			in = true
		case quote != 0:
			if c == quote {
				quote = 0
			} else {
				cur.WriteRune(c)
			}
		case c == '"' || c == '\'':
			quote, in = c, true
		case c == ' ' || c == '\t':
			if in {
				out = append(out, cur.String())
				cur.Reset()
				in = false
			}
		default:
			cur.WriteRune(c)
			in = true
		}
	}
	if quote != 0 {
		return nil, fmt.Errorf("unterminated quote")
	}
	if in {
		out = append(out, cur.String())
	}
	return out, nil
}

func setEnv(env []string, key, value string) []string {
	for i, e := range env {
		if k, _, _ := strings.Cut(e, "="); k == key {
			env[i] = key + "=" + value
			return env
		}
	}
	return append(env, key+"="+value)
}
