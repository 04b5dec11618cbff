package core

import (
	"strings"

	"github.com/sockerless/sockerless/functions/core/dockerfile"
)

// healthcheck sets the image's HEALTHCHECK (NONE, or [options] CMD ...).
func (s *buildState) healthcheck(in dockerfile.Instruction) error {
	hc, err := dockerfile.Healthcheck(in)
	if err != nil {
		return stepErr(in, err.Error(), nil)
	}
	s.img.Config.Healthcheck = hc
	return nil
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
