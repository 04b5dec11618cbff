package cli

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/sockerless/sockerless/agent"
	"github.com/sockerless/sockerless/agent/archive"
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
	// envStaged names a directory whose tree the agent copies into the
	// container's root before main starts: what `docker cp` put into
	// the container before it ran, on backends that stage it.
	envStaged = "SOCKERLESS_STAGED"
	// envHoldMain holds main until the edge has copied the container's
	// bind-mount sources in and released it (agent.Config.HoldMain).
	envHoldMain = "SOCKERLESS_HOLD_MAIN"
	// envLinger (a Go duration) keeps the agent serving the container's
	// files after main exits, on backends whose workload's filesystem
	// goes with it (agent.Config.Linger).
	envLinger = "SOCKERLESS_LINGER"
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
		HoldMain:   envBool(env, envHoldMain),
		Logs:       &streamLogs{stdout: env.Stdout, stderr: env.Stderr},
		HTTPClient: env.HTTPClient,
	}
	if dir := env.Getenv(envStaged); dir != "" {
		if err := unstage(env.Runtime, dir); err != nil {
			return fail(env, "putting the files copied into the container in place: %v", err)
		}
	}
	if l := env.Getenv(envLinger); l != "" {
		d, err := time.ParseDuration(l)
		if err != nil || d < 0 {
			return usageError(env, envLinger+" is not a duration such as 5m: "+l)
		}
		cfg.Linger = d
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

// Close ends the output the platform's log driver reads (see
// agent.Config.Linger).
func (l *streamLogs) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, w := range []io.Writer{l.stdout, l.stderr} {
		if c, ok := w.(io.Closer); ok {
			_ = c.Close()
		}
	}
	return nil
}

// unstage copies dir's tree into the container's root, as the archive
// requests of docker cp would have while it ran.
func unstage(rt agent.Runtime, dir string) error {
	fsys, err := rt.FS()
	if err != nil {
		return err
	}
	pr, pw := io.Pipe()
	// "/." names the directory's contents (path.Join would clean it away).
	go func() { pw.CloseWithError(archive.Write(pw, fsys, strings.TrimSuffix(dir, "/")+"/.")) }()
	err = archive.Extract(pr, fsys, "/", false)
	pr.CloseWithError(err)
	return err
}
