package agentbin

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"
)

// Binary is the static agent executable a runtime bind-mounts into every
// container: static, because the user's image may have no libc or a
// different one.
type Binary struct {
	given string // a binary the operator supplied, used as is
	out   string // where the installed binary goes

	once sync.Once
	p    string
	err  error
}

// New finds the agent at given, an operator's binary, or when that is
// empty installs it at out on first use.
func New(given, out string) *Binary {
	return &Binary{given: given, out: out}
}

// Path returns the binary's host path, installing it on first use.
func (a *Binary) Path() (string, error) {
	a.once.Do(func() {
		if a.given != "" {
			a.p, a.err = filepath.Abs(a.given)
			if a.err == nil {
				_, a.err = os.Stat(a.p)
			}
			return
		}
		a.p, a.err = Install(a.out)
		if a.err != nil {
			a.err = fmt.Errorf("%w (--engine-agent)", a.err)
		}
	})
	return a.p, a.err
}
