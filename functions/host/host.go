// Package host runs a control-plane function on a cloud: it reads the
// settings every function shares from the environment, has the cloud's
// wiring build the parts (the state store, the compute driver, images)
// once per cold start, assembles core over them and serves each
// invocation's call through the cloud's adapter. It imports no cloud
// SDK: a cloud's wiring (awshost for AWS) supplies the parts and the
// adapter, and a backend's bootstrap is one line naming both.
package host

import (
	"context"
	"log/slog"
	"os"
	"time"

	"github.com/sockerless/sockerless/functions/call"
	"github.com/sockerless/sockerless/functions/call/calltrace"
	"github.com/sockerless/sockerless/functions/core"
	"github.com/sockerless/sockerless/functions/state"
)

// Parts are what a cloud's wiring builds for one backend.
type Parts struct {
	// Name names the backend in `docker info` and in messages ("ecs").
	Name    string
	Store   state.Store
	Compute core.Compute
	Images  core.Images
	// About says, in `docker info` and `docker version`, where the
	// function runs: its name, region and store ({"Region",
	// "eu-west-1"}).
	About [][2]string
	// Metrics puts each call's figures into its log line in the form the
	// cloud's monitoring reads (on AWS, CloudWatch's embedded metric
	// format); nil: the line carries them as plain fields only.
	Metrics Metrics
}

// Build is a cloud's part of a cold start: the parts, from the settings.
type Build func(ctx context.Context, s Settings) (Parts, error)

// Serve is a cloud's invocation adapter: it hands each invocation's call
// to h and returns only when the process is done.
type Serve func(h call.Handler)

// coldStart bounds how long building the parts may take, so that a
// store or API that does not answer fails the start instead of hanging
// it until the platform's own init timeout.
const coldStart = 30 * time.Second

// New assembles the function from its parts and settings.
func New(p Parts, s Settings, log *slog.Logger) *core.Core {
	return core.New(core.Config{
		Store: p.Store, Compute: p.Compute, Images: p.Images,
		Secret: s.Secret, Backend: p.Name, About: p.About, Log: log,
	})
}

// Start reads the settings with getenv, builds the parts with build and
// assembles the function.
func Start(ctx context.Context, getenv func(string) string, build Build, log *slog.Logger) (*core.Core, error) {
	fn, _, err := start(ctx, getenv, build, log)
	return fn, err
}

// start is Start returning the parts too, for Main's log lines.
func start(ctx context.Context, getenv func(string) string, build Build, log *slog.Logger) (*core.Core, Parts, error) {
	s, err := ReadSettings(getenv)
	if err != nil {
		return nil, Parts{}, err
	}
	ctx, cancel := context.WithTimeout(ctx, coldStart)
	defer cancel()
	p, err := build(ctx, s)
	if err != nil {
		return nil, Parts{}, err
	}
	return New(p, s, log), p, nil
}

// Main is a backend's bootstrap: it starts the function once per cold
// start (logging JSON to stderr, which every platform collects) and
// serves it with serve, one log line per call (with its figures in the
// cloud's metric form, Parts.Metrics), and a span per call when
// OTEL_EXPORTER_OTLP_ENDPOINT is set. A function that cannot start exits 1: that is
// how a platform learns it is misconfigured (Lambda answers the
// invocation with Runtime.ExitError).
func Main(backend string, build Build, serve Serve) {
	log := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	fn, parts, err := start(context.Background(), os.Getenv, build, log)
	if err != nil {
		log.Error("sockerless function cannot start", "backend", backend, "err", err)
		os.Exit(1)
	}
	// Spans go out as they end: the platform may freeze the process
	// between invocations, and a batch would wait for the next one.
	tracer, _, err := calltrace.Start(context.Background(), "sockerless-"+backend, true)
	if err != nil {
		log.Error("sockerless function cannot start its tracer", "backend", backend, "err", err)
		os.Exit(1)
	}
	serve(Traced(LoggedWith(fn, log, slog.LevelInfo, parts.Metrics), tracer))
}
