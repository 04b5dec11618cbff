// Package agentbin finds the static agent binary that the runtimes
// running real binaries (engine, native) put into every container as its
// init: one the operator gave, or one built with the go command.
package agentbin

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
)

// agentPackage is the agent command containers run.
const agentPackage = "github.com/sockerless/sockerless/agent/cmd/agent"

// Binary is the static agent executable bind-mounted into every
// container: static, because the user's image may have no libc or a
// different one.
type Binary struct {
	given string // a binary the operator supplied, used as is
	out   string // where a built binary goes

	once sync.Once
	p    string
	err  error
}

// New finds the agent at given, an operator's binary, or when that is
// empty builds it to out on first use.
func New(given, out string) *Binary {
	return &Binary{given: given, out: out}
}

// Path returns the binary's host path, building it on first use.
func (a *Binary) Path() (string, error) {
	a.once.Do(func() {
		if a.given != "" {
			a.p, a.err = filepath.Abs(a.given)
			if a.err == nil {
				_, a.err = os.Stat(a.p)
			}
			return
		}
		a.p, a.err = buildAgent(a.out)
	})
	return a.p, a.err
}

// buildAgent compiles the agent with the go command; it needs the
// Sockerless source (the go.work workspace) around the working directory.
// It builds to a temporary name and renames, so a running container
// never sees a half-written binary.
func buildAgent(out string) (string, error) {
	out, err := filepath.Abs(out)
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return "", err
	}
	tmp := out + ".tmp"
	cmd := exec.Command("go", "build", "-trimpath", "-o", tmp, agentPackage)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("build the agent for containers (pass --engine-agent with a static agent binary instead): %v\n%s", err, b)
	}
	if err := os.Chmod(tmp, 0o755); err != nil {
		return "", err
	}
	return out, os.Rename(tmp, out)
}
