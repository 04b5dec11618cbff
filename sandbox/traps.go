package sandbox

import (
	"strings"
	"sync"
	"syscall"

	"mvdan.cc/sh/v3/syntax"

	"github.com/sockerless/sockerless/sandbox/coreutils"
)

// traps keeps the signal traps of one process. mvdan.cc/sh implements
// only the EXIT and ERR traps; signal traps are taken out of the trap
// builtin's arguments here, and a raised signal's action runs before the
// next simple command, the point where a real shell would run it too.
type traps struct {
	mu      sync.Mutex
	actions map[syscall.Signal]string // "" means ignored
	pending []syscall.Signal
}

func newTraps() *traps { return &traps{actions: map[syscall.Signal]string{}} }

func (t *traps) lookup(sig syscall.Signal) (string, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	a, ok := t.actions[sig]
	return a, ok
}

func (t *traps) raise(sig syscall.Signal) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.pending = append(t.pending, sig)
}

// take returns the actions of the raised signals and forgets them.
func (t *traps) take() []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	var out []string
	for _, sig := range t.pending {
		if a := t.actions[sig]; a != "" {
			out = append(out, a)
		}
	}
	t.pending = nil
	return out
}

// rewrite handles the signal part of `trap [--] [ACTION] SIGNAL...` and
// returns the arguments the interpreter's own trap builtin should still
// see (EXIT, ERR and anything it should reject).
func (t *traps) rewrite(args []string) []string {
	rest := args[1:]
	if len(rest) > 0 && rest[0] == "--" {
		rest = rest[1:]
	}
	if len(rest) == 0 || strings.HasPrefix(rest[0], "-") && rest[0] != "-" {
		return args
	}
	action, sigs := rest[0], rest[1:]
	if len(rest) == 1 {
		// "trap SIGNAL" restores the default.
		action, sigs = "-", rest
	}
	kept := []string{"trap", action}
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, s := range sigs {
		switch strings.ToUpper(s) {
		case "EXIT", "0", "ERR":
			if s == "0" {
				s = "EXIT"
			}
			kept = append(kept, s)
			continue
		}
		sig, ok := coreutils.ParseSignal(s)
		if !ok || sig == 0 {
			kept = append(kept, s)
			continue
		}
		if action == "-" {
			delete(t.actions, sig)
		} else {
			t.actions[sig] = action
		}
	}
	if len(kept) == 2 {
		return []string{":"}
	}
	return kept
}

// withPending prefixes a command with the actions of raised signals,
// running both through eval in the current shell so that the actions
// can change its variables or exit it.
func (t *traps) withPending(args []string) []string {
	t.mu.Lock()
	none := len(t.pending) == 0
	t.mu.Unlock()
	if none {
		return args
	}
	quoted := make([]string, len(args))
	for i, a := range args {
		q, err := syntax.Quote(a, syntax.LangBash)
		if err != nil {
			return args // cannot be re-parsed; the actions run when the shell ends
		}
		quoted[i] = q
	}
	actions := t.take()
	if len(actions) == 0 {
		return args
	}
	return []string{"eval", strings.Join(actions, "\n") + "\n" + strings.Join(quoted, " ")}
}
