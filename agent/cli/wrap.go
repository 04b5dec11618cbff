package cli

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"strconv"
	"sync"

	"github.com/sockerless/sockerless/agent"
	"github.com/sockerless/sockerless/agent/proto"
)

// Environment of the wrapping mode.
const (
	envEdgeURL   = "SOCKERLESS_EDGE_URL"
	envListen    = "SOCKERLESS_AGENT_LISTEN"
	envContainer = "SOCKERLESS_CONTAINER_ID"
	envToken     = "SOCKERLESS_TOKEN"
	envStdin     = "SOCKERLESS_STDIN"
	envTTY       = "SOCKERLESS_TTY"
	envUser      = "SOCKERLESS_USER" // main's user, when the agent runs as root
)

// wrap runs args as the container's main process under the edge's
// control and returns main's exit code.
func wrap(ctx context.Context, env Env, args []string) int {
	if env.Runtime == nil {
		return fail(env, "no runtime to start processes with")
	}
	cfg := agent.Config{
		EdgeURL:     env.Getenv(envEdgeURL),
		ContainerID: env.Getenv(envContainer),
		Token:       env.Getenv(envToken),
		Main: proto.ProcessSpec{
			Args:  args,
			Stdin: envBool(env, envStdin),
			TTY:   envBool(env, envTTY),
			User:  env.Getenv(envUser),
		},
		Runtime:    env.Runtime,
		Logs:       &streamLogs{stdout: env.Stdout, stderr: env.Stderr},
		HTTPClient: env.HTTPClient,
	}
	if h := env.Getenv(proto.EnvHealth); h != "" {
		cfg.Health = new(proto.HealthSpec)
		if err := json.Unmarshal([]byte(h), cfg.Health); err != nil {
			return usageError(env, proto.EnvHealth+" is not a healthcheck: "+err.Error())
		}
	}
	listen := env.Getenv(envListen)
	switch {
	case cfg.EdgeURL == "" && listen == "":
		return usageError(env, "set "+envEdgeURL+" (the agent dials the edge) or "+envListen+" (the edge dials the agent)")
	case cfg.EdgeURL != "" && listen != "":
		return usageError(env, "set only one of "+envEdgeURL+" and "+envListen)
	case listen != "":
		ln, err := net.Listen("tcp", listen)
		if err != nil {
			return fail(env, "listening for the edge: %v", err)
		}
		cfg.Listener = ln // Run closes it
	}
	code, err := agent.Run(ctx, cfg)
	if err != nil {
		return fail(env, "%v", err)
	}
	return code
}

func envBool(env Env, name string) bool {
	v, _ := strconv.ParseBool(env.Getenv(name))
	return v
}

// streamLogs is the log sink that writes main's output to the program's
// own streams, where the platform's log driver reads it. One lock for
// both: they may be the same writer.
type streamLogs struct {
	mu             sync.Mutex
	stdout, stderr io.Writer
}

func (l *streamLogs) Log(stream int, p []byte) {
	w := l.stdout
	if stream == 2 {
		w = l.stderr
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	_, _ = w.Write(p)
}
