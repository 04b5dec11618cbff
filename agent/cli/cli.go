// Package cli is the agent program as a function, so that the same code
// runs as the real binary (agent/cmd/agent: OS processes and files) and
// in-process where native binaries cannot run (the cloud simulators'
// sandbox, which recognises the agent binary by agent.Marker).
//
// Usage:
//
//	agent [--] command [arg...]   run command as the container's main process
//	agent install DEST            copy the agent's own executable to DEST
//	agent lambda                  be a Lambda function's runtime
//	agent version                 print the version
//
// Wrapping (the default) takes its settings from the environment:
// SOCKERLESS_CONTAINER_ID and SOCKERLESS_TOKEN, and either
// SOCKERLESS_EDGE_URL (reverse mode: the agent dials the edge) or
// SOCKERLESS_AGENT_LISTEN (forward mode: the agent listens on that
// address, e.g. ":9111", and the edge dials it at agent.ForwardPath).
// SOCKERLESS_STDIN=1 keeps main's stdin open for attached writers
// (docker run -i); SOCKERLESS_TTY=1 gives main a terminal;
// SOCKERLESS_USER runs main as that user (uid[:gid] or names) while the
// agent, run as root, serves archive and exec as dockerd would. Main's output
// also goes to the program's own stdout and stderr, which the platform's
// log driver collects. The program exits with main's exit code once the
// edge has recorded it, or, with SOCKERLESS_LINGER (a duration, as
// "5m"), that long later: it serves docker cp out of the stopped
// container meanwhile, and SIGTERM ends it sooner.
//
// A command named like a subcommand is run with "--" before it; callers
// that build the command line from a user's image should always add it.
// With no arguments at all inside Lambda (AWS_LAMBDA_RUNTIME_API set),
// as when the agent is a zip function's bootstrap, the agent is the
// runtime, as with "agent lambda".
package cli

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"net/http"

	"github.com/sockerless/sockerless/agent"
)

// Env is everything the agent program takes from its surroundings.
type Env struct {
	Args    []string // after the program name
	Getenv  func(string) string
	Stdout  io.Writer
	Stderr  io.Writer
	Runtime agent.Runtime // starts main and exec'd processes
	// Self opens the agent's own executable, for install.
	Self func() (io.ReadCloser, error)
	// Create creates (or truncates) the file at path with perm, for
	// install. It must create missing parent directories itself: install
	// copies into fresh volumes where nothing exists yet.
	Create     func(path string, perm fs.FileMode) (io.WriteCloser, error)
	HTTPClient *http.Client // optional
}

// Exit codes of the program itself (wrapping exits with main's).
const (
	exitFailed = 1
	exitUsage  = 2
)

const usage = `usage:
  agent [--] command [arg...]   run command as the container's main process
  agent install DEST            copy the agent's own executable to DEST
  agent lambda                  serve Lambda invocations as the function's runtime
  agent version                 print the version
`

// Main runs the agent program and returns its exit code.
func Main(ctx context.Context, env Env) int {
	env = env.withDefaults()
	args := env.Args
	if len(args) == 0 {
		if env.Getenv("AWS_LAMBDA_RUNTIME_API") != "" {
			return lambdaMain(ctx, env)
		}
		return usageError(env, "no command to run")
	}
	switch args[0] {
	case "--":
		if len(args) == 1 {
			return usageError(env, "no command after --")
		}
		return wrap(ctx, env, args[1:])
	case "version":
		if len(args) != 1 {
			return usageError(env, "version takes no arguments")
		}
		fmt.Fprintf(env.Stdout, "sockerless-agent %s (%s)\n", agent.Version, agent.Marker)
		return 0
	case "install":
		if len(args) != 2 || args[1] == "" {
			return usageError(env, "install takes one destination path")
		}
		return install(env, args[1])
	case "lambda":
		if len(args) != 1 {
			return usageError(env, "lambda takes no arguments")
		}
		return lambdaMain(ctx, env)
	}
	return wrap(ctx, env, args)
}

// withDefaults fills what a caller may leave out, so a missing writer
// or environment is never a nil dereference.
func (env Env) withDefaults() Env {
	if env.Getenv == nil {
		env.Getenv = func(string) string { return "" }
	}
	if env.Stdout == nil {
		env.Stdout = io.Discard
	}
	if env.Stderr == nil {
		env.Stderr = io.Discard
	}
	return env
}

func usageError(env Env, msg string) int {
	fmt.Fprintf(env.Stderr, "sockerless agent: %s\n%s", msg, usage)
	return exitUsage
}

// fail reports an error of the agent itself (not main's) and returns
// the program's exit code for it.
func fail(env Env, format string, a ...any) int {
	fmt.Fprintf(env.Stderr, "sockerless agent: "+format+"\n", a...)
	return exitFailed
}
