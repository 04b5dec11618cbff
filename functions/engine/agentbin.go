package engine

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"

	"github.com/sockerless/sockerless/agent/agentbin"
)

// agentBinary is the static agent executable bind-mounted into every
// engine container: static, because the user's image may have no libc
// or a different one.
type agentBinary struct {
	given string // a binary the operator supplied, used as is
	out   string // where a built binary goes

	once sync.Once
	p    string
	err  error
}

func newAgentBinary(given, out string) *agentBinary {
	return &agentBinary{given: given, out: out}
}

// path returns the binary's host path, installing it on first use.
func (a *agentBinary) path() (string, error) {
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

// buildAgent installs the static agent at out (agentbin: the copy
// embedded at build time, or one built from a source checkout).
func buildAgent(out string) (string, error) {
	p, err := agentbin.Install(out)
	if err != nil {
		return "", fmt.Errorf("%w (--engine-agent)", err)
	}
	return p, nil
}
