package core

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	dockerspec "github.com/moby/docker-image-spec/specs-go/v1"
	"github.com/sockerless/sockerless/functions/core/dockerfile"
)

// healthcheck parses HEALTHCHECK NONE or HEALTHCHECK [options] CMD ...
func (s *buildState) healthcheck(in dockerfile.Instruction) error {
	kw, rest, _ := strings.Cut(strings.TrimSpace(in.Rest), " ")
	switch strings.ToUpper(kw) {
	case "NONE":
		if strings.TrimSpace(rest) != "" || len(in.Flags) > 0 {
			return stepErr(in, "HEALTHCHECK NONE takes no arguments", nil)
		}
		s.img.Config.Healthcheck = &dockerspec.HealthcheckConfig{Test: []string{"NONE"}}
		return nil
	case "CMD":
	default:
		return stepErr(in, "HEALTHCHECK wants NONE or CMD, got "+kw, nil)
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
			return stepErr(in, "unknown flag: --"+k, nil)
		}
		if err != nil {
			return stepErr(in, "HEALTHCHECK --"+k, err)
		}
	}
	cmd := strings.TrimSpace(rest)
	if cmd == "" {
		return stepErr(in, "Missing command after HEALTHCHECK CMD", nil)
	}
	if strings.HasPrefix(cmd, "[") {
		sub, err := dockerfile.Parse(strings.NewReader("CMD " + cmd))
		if err == nil && sub.Instructions[0].IsJSON() {
			hc.Test = append([]string{"CMD"}, sub.Instructions[0].JSON...)
		}
	}
	if hc.Test == nil {
		hc.Test = []string{"CMD-SHELL", cmd}
	}
	s.img.Config.Healthcheck = hc
	return nil
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

// onbuild stores a trigger for images built FROM this one.
func (s *buildState) onbuild(in dockerfile.Instruction) error {
	trigger := strings.TrimSpace(in.Rest)
	name, _, _ := strings.Cut(trigger, " ")
	switch strings.ToUpper(name) {
	case "":
		return stepErr(in, "ONBUILD requires at least one argument", nil)
	case "ONBUILD":
		return stepErr(in, "Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed", nil)
	case "FROM", "MAINTAINER":
		return stepErr(in, name+" isn't allowed as an ONBUILD trigger", nil)
	}
	s.img.Config.OnBuild = append(s.img.Config.OnBuild, trigger)
	return nil
}
