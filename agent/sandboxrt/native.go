package sandboxrt

import (
	"context"
	"io"
	"io/fs"
	"path"

	"github.com/sockerless/sockerless/agent"
	"github.com/sockerless/sockerless/agent/cli"
	"github.com/sockerless/sockerless/sandbox"
)

// Native is the agent program as a sandbox native: a sandboxed process
// that executes a file containing agent.Marker runs the agent's command
// line (cli.Main) in-process, in the same container.
var Native = sandbox.Native{
	Name:   "sockerless-agent",
	Marker: []byte(agent.Marker),
	Run: func(ctx context.Context, p *sandbox.NativeProcess) int {
		return cli.Main(ctx, Env(p))
	},
}

// Env is the agent program's surroundings as the sandbox process p sees
// them: its arguments, environment and streams, the container's files
// (for install), and Runtime for what it starts.
func Env(p *sandbox.NativeProcess) cli.Env {
	var args []string
	if len(p.Args) > 1 {
		args = p.Args[1:]
	}
	fsys := FS{p.FS}
	return cli.Env{
		Args:    args,
		Getenv:  func(k string) string { return getenv(p.Env, k) },
		Stdout:  p.Stdout,
		Stderr:  p.Stderr,
		Runtime: Within(p),
		Self:    func() (io.ReadCloser, error) { return p.FS.Open(p.Exe) },
		Create: func(name string, perm fs.FileMode) (io.WriteCloser, error) {
			if !path.IsAbs(name) {
				name = path.Join(p.Dir, name)
			}
			if err := fsys.MkdirAll(path.Dir(name), 0o755); err != nil {
				return nil, err
			}
			w, err := fsys.Create(name, perm)
			if err != nil {
				return nil, err
			}
			// perm applies to a file that existed too: an installed
			// agent must be executable whatever was there before.
			if err := fsys.Chmod(name, perm); err != nil {
				w.Close()
				return nil, err
			}
			return w, nil
		},
	}
}

// getenv is the last value of k in env, as a process's environment
// holds it.
func getenv(env []string, k string) string {
	v := ""
	for _, kv := range env {
		if len(kv) > len(k) && kv[len(k)] == '=' && kv[:len(k)] == k {
			v = kv[len(k)+1:]
		}
	}
	return v
}
