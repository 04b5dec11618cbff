// Package core implements Docker's semantics once, for every backend,
// over a state store and a compute driver. It is a call.Handler: it keeps
// nothing between calls, so any instance can serve any call.
package core

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"time"

	"github.com/sockerless/sockerless/functions/call"
	"github.com/sockerless/sockerless/functions/state"
)

// Config wires a Core to one backend.
type Config struct {
	Store   state.Store
	Compute Compute
	Images  Images
	// Secret signs the agents' per-container tokens.
	Secret []byte
	// Backend names the backend in `docker info` ("local", "ecs", ...).
	Backend string
	// About says where the function runs, in `docker info` (beside the
	// backend in DriverStatus) and `docker version` (a Sockerless
	// component's details): its name, region and store.
	About [][2]string
	// DataRoot is shown as Docker Root Dir.
	DataRoot string
	// Runtime is what runs the containers, as `docker info` shows it
	// (DefaultRuntime, Runtimes); the zero value shows the backend.
	Runtime RuntimeInfo
	Log     *slog.Logger
	// Now is the clock; tests may pin it.
	Now func() time.Time
}

// Core is the control-plane function.
type Core struct {
	cfg   Config
	store state.Store
	// compute runs workloads through cfg.Compute; core looks for the
	// driver's optional capabilities on cfg.Compute itself.
	compute Compute
	ops     map[string]func(context.Context, call.Call) (call.Reply, error)
}

// New returns the function for cfg.
func New(cfg Config) *Core {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	// Store and driver calls are counted and traced at these seams.
	c := &Core{cfg: cfg, store: observedStore{cfg.Store}, compute: observedCompute{cfg.Compute}}
	c.ops = c.routes()
	return c
}

// Handle serves one call. It never panics out: a bug becomes a 500.
func (c *Core) Handle(ctx context.Context, in call.Call) (out call.Reply) {
	defer func() {
		if r := recover(); r != nil {
			c.cfg.Log.Error("panic in function", "op", in.Op, "panic", r, "stack", string(debug.Stack()))
			out = errorReply(fmt.Errorf("internal error in %s: %v", in.Op, r))
		}
	}()
	if u := in.Header.Get(call.AgentURLHeader); u != "" {
		ctx = context.WithValue(ctx, agentURLKey{}, u)
	}
	op, ok := c.ops[in.Op]
	if !ok {
		return errorReply(errorf(http.StatusNotImplemented, "%s is not implemented by the %s backend", in.Op, c.cfg.Backend))
	}
	reply, err := op(ctx, in)
	if err != nil {
		if statusOf(err) >= 500 {
			c.cfg.Log.Error("call failed", "op", in.Op, "err", err)
		}
		return errorReply(err)
	}
	return reply
}

// agentURLKey holds, in a call's context, the agent endpoint of the
// edge that sent it.
type agentURLKey struct{}

func agentURLOf(ctx context.Context) string {
	u, _ := ctx.Value(agentURLKey{}).(string)
	return u
}

func (c *Core) now() time.Time { return c.cfg.Now().UTC() }

func noContent() call.Reply { return call.Reply{Status: http.StatusNoContent} }
