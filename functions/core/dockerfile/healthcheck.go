package dockerfile

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	dockerspec "github.com/moby/docker-image-spec/specs-go/v1"
)

// Healthcheck parses HEALTHCHECK NONE or HEALTHCHECK [options] CMD ...,
// the instruction of a Dockerfile and of `docker commit/import --change`.
func Healthcheck(in Instruction) (*dockerspec.HealthcheckConfig, error) {
	kw, rest, _ := strings.Cut(strings.TrimSpace(in.Rest), " ")
	switch strings.ToUpper(kw) {
	case "NONE":
		if strings.TrimSpace(rest) != "" || len(in.Flags) > 0 {
			return nil, errors.New("HEALTHCHECK NONE takes no arguments")
		}
		return &dockerspec.HealthcheckConfig{Test: []string{"NONE"}}, nil
	case "CMD":
	default:
		return nil, fmt.Errorf("HEALTHCHECK wants NONE or CMD, got %s", kw)
	}
	hc := &dockerspec.HealthcheckConfig{}
	for k, v := range in.Flags {
		var err error
		switch k {
		case "interval":
			hc.Interval, err = healthDuration(v)
		case "timeout":
			hc.Timeout, err = healthDuration(v)
		case "start-period":
			hc.StartPeriod, err = healthDuration(v)
		case "start-interval":
			hc.StartInterval, err = healthDuration(v)
		case "retries":
			hc.Retries, err = strconv.Atoi(v)
			if err == nil && hc.Retries < 0 {
				err = fmt.Errorf("must not be negative")
			}
		default:
			return nil, fmt.Errorf("unknown flag: --%s", k)
		}
		if err != nil {
			return nil, fmt.Errorf("HEALTHCHECK --%s: %w", k, err)
		}
	}
	cmd := strings.TrimSpace(rest)
	if cmd == "" {
		return nil, errors.New("Missing command after HEALTHCHECK CMD")
	}
	if strings.HasPrefix(cmd, "[") {
		sub, err := Parse(strings.NewReader("CMD " + cmd))
		if err == nil && sub.Instructions[0].IsJSON() {
			hc.Test = append([]string{"CMD"}, sub.Instructions[0].JSON...)
		}
	}
	if hc.Test == nil {
		hc.Test = []string{"CMD-SHELL", cmd}
	}
	return hc, nil
}

func healthDuration(v string) (time.Duration, error) {
	d, err := time.ParseDuration(v)
	if err != nil {
		return 0, err
	}
	if d != 0 && d < time.Millisecond {
		return 0, fmt.Errorf("must be at least 1ms")
	}
	return d, nil
}
