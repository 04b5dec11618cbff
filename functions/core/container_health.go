package core

import (
	"context"
	"time"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/events"
	"github.com/sockerless/sockerless/agent/proto"
	"github.com/sockerless/sockerless/functions/call"
)

// Healthchecks: the agent runs the probe inside the container, where
// the workload runs, on every backend (the control plane is stateless
// functions: nothing of it stays up between calls to time probes); the
// edge passes each result on (call.OpContainerHealth), and core keeps
// State.Health with dockerd's rules and emits health_status events.

// dockerd's defaults for a healthcheck's unset settings.
const (
	defaultProbeInterval = 30 * time.Second
	defaultProbeTimeout  = 30 * time.Second
	defaultProbeRetries  = 3
	// maxHealthLog is how many results State.Health.Log keeps.
	maxHealthLog = 5
)

// mergeHealthcheck gives a container the image's healthcheck, and the
// image's values for what the container's leaves unset, as dockerd
// does at create.
func mergeHealthcheck(img, ctr *container.HealthConfig) *container.HealthConfig {
	if img == nil {
		return ctr
	}
	if ctr == nil {
		hc := *img
		return &hc
	}
	hc := *ctr
	if len(hc.Test) == 0 {
		hc.Test = img.Test
	}
	if hc.Interval == 0 {
		hc.Interval = img.Interval
	}
	if hc.Timeout == 0 {
		hc.Timeout = img.Timeout
	}
	if hc.StartPeriod == 0 {
		hc.StartPeriod = img.StartPeriod
	}
	if hc.StartInterval == 0 {
		hc.StartInterval = img.StartInterval
	}
	if hc.Retries == 0 {
		hc.Retries = img.Retries
	}
	return &hc
}

// healthSpec is the probe the agent runs for cfg's healthcheck, or nil
// when it has none (none set, NONE, or a test dockerd would not run).
func healthSpec(cfg *container.Config) *proto.HealthSpec {
	hc := cfg.Healthcheck
	if hc == nil || len(hc.Test) == 0 {
		return nil
	}
	var args []string
	switch hc.Test[0] {
	case "CMD":
		args = hc.Test[1:]
	case "CMD-SHELL":
		if len(hc.Test) < 2 {
			return nil
		}
		shell := cfg.Shell
		if len(shell) == 0 {
			shell = []string{"/bin/sh", "-c"}
		}
		args = append(append([]string{}, shell...), hc.Test[1])
	default: // NONE, or unknown
		return nil
	}
	if len(args) == 0 {
		return nil
	}
	return &proto.HealthSpec{
		Args:          args,
		Interval:      orDefault(hc.Interval, defaultProbeInterval),
		Timeout:       orDefault(hc.Timeout, defaultProbeTimeout),
		StartPeriod:   hc.StartPeriod,
		StartInterval: hc.StartInterval,
	}
}

func orDefault(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}

// startHealth is State.Health at a start: starting, with the earlier
// results kept, as dockerd does; nil without a healthcheck.
func startHealth(cfg *container.Config, old *container.Health) *container.Health {
	if healthSpec(cfg) == nil {
		return nil
	}
	h := &container.Health{Status: container.Starting, Log: []*container.HealthcheckResult{}}
	if old != nil && old.Log != nil {
		h.Log = old.Log
	}
	return h
}

// containerHealth records one probe's result: dockerd's rules for the
// failing streak, the start period and the status, and a health_status
// event when the status changes.
func (c *Core) containerHealth(ctx context.Context, in call.Call) (call.Reply, error) {
	var rep call.HealthReport
	if err := decodeBody(in, &rep, false); err != nil {
		return call.Reply{}, err
	}
	var before, after container.HealthStatus
	rec, err := c.updateContainer(ctx, in.Var("id"), func(r *containerRecord) error {
		started, _ := time.Parse(time.RFC3339Nano, r.State.StartedAt)
		h := r.State.Health
		// A result from an earlier start, or of a probe that ended after
		// main, says nothing about this one.
		if !r.running() || h == nil || rep.Start.Before(started) {
			return errSkipWrite
		}
		if n := len(h.Log); n > 0 && !rep.Start.After(h.Log[n-1].Start) {
			return errSkipWrite // late: a newer result is recorded
		}
		before = h.Status
		applyProbe(h, r.Config.Healthcheck, started, rep)
		after = h.Status
		return nil
	})
	if err != nil {
		return call.Reply{}, err
	}
	if after != before {
		c.emitContainer(ctx, rec, events.Action(string(events.ActionHealthStatus)+": "+string(after)), nil)
	}
	return noContent(), nil
}

// applyProbe is dockerd's handleProbeResult: a success makes the
// container healthy; failures count towards retries, except while it
// is starting within its start period.
func applyProbe(h *container.Health, hc *container.HealthConfig, started time.Time, rep call.HealthReport) {
	h.Log = append(h.Log, &container.HealthcheckResult{Start: rep.Start, End: rep.End, ExitCode: rep.ExitCode, Output: rep.Output})
	if len(h.Log) > maxHealthLog {
		h.Log = h.Log[len(h.Log)-maxHealthLog:]
	}
	if rep.ExitCode == 0 {
		h.FailingStreak = 0
		h.Status = container.Healthy
		return
	}
	if h.Status == container.Starting && hc != nil && rep.Start.Sub(started) < hc.StartPeriod {
		return
	}
	retries := defaultProbeRetries
	if hc != nil && hc.Retries > 0 {
		retries = hc.Retries
	}
	h.FailingStreak++
	if h.FailingStreak >= retries {
		h.Status = container.Unhealthy
	}
}

// healthSuffix is what `docker ps` adds to a running container's status.
func healthSuffix(h *container.Health) string {
	if h == nil {
		return ""
	}
	switch h.Status {
	case container.Starting:
		return " (health: starting)"
	case container.Healthy, container.Unhealthy:
		return " (" + string(h.Status) + ")"
	}
	return ""
}

// healthStatus is the status docker ps --filter health= matches:
// "none" for a container without a healthcheck.
func healthStatus(h *container.Health) container.HealthStatus {
	if h == nil {
		return container.NoHealthcheck
	}
	return h.Status
}
