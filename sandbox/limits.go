package sandbox

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"mvdan.cc/sh/v3/syntax"
)

// DefaultPidsLimit bounds a container's processes when Spec.PidsLimit is
// 0, so that a fork bomb stops growing long before it hurts the host.
const DefaultPidsLimit = 1024

// maxFrames bounds the shell function calls live at once in a container.
// The interpreter recurses on the Go stack, and a Go stack overflow ends
// the whole host process, so `f() { f; }; f` must fail before that. Each
// level also makes variable lookups longer, so deep recursion is slow
// well before this.
const maxFrames = 5000

// errFork is how the shell reports a fork that hit the limit, in busybox
// ash's words. The interpreter prints a *PathError from the open handler
// and fails the statement, as bash does on EAGAIN, instead of exiting.
var errFork = &fs.PathError{Op: "sh:", Path: "can't fork", Err: errors.New("Resource temporarily unavailable")}

// forkStatus is a command's status when it could not start: ash's for a
// failed fork.
const forkStatus = 2

var errNesting = &fs.PathError{Op: "sh:", Path: "call", Err: fmt.Errorf("maximum function nesting level exceeded (%d)", maxFrames)}

// pids counts what a container runs: pseudo processes (commands), the
// interpreter's goroutines for background jobs, pipelines, subshells and
// substitutions, and live function calls. It is shared by every process
// started with the same Spec.Root, as docker exec shares a container's
// pids cgroup, and lives as long as any of them holds a slot.
//
// A slot is reserved before what it counts starts and released when that
// ends or fails to start. The reservation is one compare-and-swap, so
// the count never passes the limit, not even for a moment, however many
// forks race for the last slot.
type pids struct {
	root   string
	limit  int64
	live   atomic.Int64
	frames atomic.Int64
}

var limits = struct {
	sync.Mutex
	byRoot map[string]*pids
}{byRoot: map[string]*pids{}}

// reserveIn takes a slot in root's counter for a container process
// (Start), creating the counter with limit when the container has none;
// it reports false at the limit. It reserves under the lock, so that a
// counter whose last slot is being released is either found with this
// slot in it or already gone.
func reserveIn(root string, limit int64) (*pids, bool) {
	if limit <= 0 {
		limit = DefaultPidsLimit
	}
	limits.Lock()
	defer limits.Unlock()
	c := limits.byRoot[root]
	if c == nil {
		c = &pids{root: root, limit: limit}
		limits.byRoot[root] = c
	}
	if !reserve(&c.live, 0, c.limit) {
		if c.live.Load() == 0 {
			delete(limits.byRoot, root) // a limit below one slot
		}
		return nil, false
	}
	return c, true
}

// reserve takes one of limit slots in n, reporting false when none is
// free or fewer than held are taken.
func reserve(n *atomic.Int64, held, limit int64) bool {
	for {
		v := n.Load()
		if v < held || v >= limit {
			return false
		}
		if n.CompareAndSwap(v, v+1) {
			return true
		}
	}
}

// fork reserves a slot for a process started from inside the container.
// What forks holds a slot itself (a process's shell, a job, a command
// running a child), so the count is never 0 then, except for a job
// still starting when the last process of the container ended and
// released the counter: that one is refused, as its process is gone.
func (c *pids) fork() bool { return reserve(&c.live, 1, c.limit) }

// exit releases a slot; the last one unregisters the counter.
func (c *pids) exit() {
	if c.live.Add(-1) > 0 {
		return
	}
	limits.Lock()
	defer limits.Unlock()
	if c.live.Load() == 0 && limits.byRoot[c.root] == c {
		delete(limits.byRoot, c.root)
	}
}

func (c *pids) call() bool { return reserve(&c.frames, 0, maxFrames) }

func (c *pids) ret() { c.frames.Add(-1) }

// The interpreter starts goroutines for `&`, pipelines and <(...)
// without calling a handler (and runs subshells and $(...), which the
// shell forks for, in its own), but it opens a statement's redirections in
// the goroutine that runs the statement and closes them when the
// statement ends. countForks gives every such statement (and every
// function body) a first redirection of stderr to one of these names;
// the open handler takes a slot there and hands back stderr itself, and
// closing it frees the slot. A script naming them only counts itself.
const (
	forkMarker  = "/proc/.sockerless/fork"
	frameMarker = "/proc/.sockerless/call"
)

// countForks adds the marker redirections to the parsed program.
func countForks(node syntax.Node) {
	syntax.Walk(node, func(n syntax.Node) bool {
		switch n := n.(type) {
		case *syntax.Stmt:
			if n.Background || n.Disown || isSubshell(n.Cmd) {
				mark(n, forkMarker)
			}
		case *syntax.BinaryCmd:
			if n.Op == syntax.Pipe || n.Op == syntax.PipeAll {
				// a | b | c nests; the inner pipe's parts count themselves.
				for _, st := range []*syntax.Stmt{n.X, n.Y} {
					if !isPipe(st.Cmd) && !marked(st) {
						mark(st, forkMarker)
					}
				}
			}
		case *syntax.CmdSubst:
			n.Stmts = forked(n.Stmts)
		case *syntax.ProcSubst:
			n.Stmts = forked(n.Stmts)
		case *syntax.FuncDecl:
			if n.Body != nil && !marked(n.Body) {
				mark(n.Body, frameMarker)
			}
		}
		return true
	})
}

// forked is a substitution's statements as one marked block: the
// shell forks for $(...) and <(...), and the interpreter runs <(...) in
// a goroutine of its own. $(<file), which reads a file without a
// process, is left alone.
func forked(stmts []*syntax.Stmt) []*syntax.Stmt {
	if len(stmts) == 0 || len(stmts) == 1 && (marked(stmts[0]) || readsFile(stmts[0])) {
		return stmts
	}
	st := &syntax.Stmt{Cmd: &syntax.Block{Stmts: stmts}}
	mark(st, forkMarker)
	return []*syntax.Stmt{st}
}

// readsFile reports the statement of $(<file).
func readsFile(st *syntax.Stmt) bool {
	return st.Cmd == nil && len(st.Redirs) == 1 && st.Redirs[0].Op == syntax.RdrIn &&
		!st.Negated && !st.Background && !st.Coprocess
}

func isSubshell(c syntax.Command) bool { _, ok := c.(*syntax.Subshell); return ok }

func isPipe(c syntax.Command) bool {
	b, ok := c.(*syntax.BinaryCmd)
	return ok && (b.Op == syntax.Pipe || b.Op == syntax.PipeAll)
}

func marked(st *syntax.Stmt) bool {
	if len(st.Redirs) == 0 || st.Redirs[0].Word == nil {
		return false
	}
	w := st.Redirs[0].Word.Lit()
	return w == forkMarker || w == frameMarker
}

func mark(st *syntax.Stmt, marker string) {
	if marked(st) {
		return
	}
	rd := &syntax.Redirect{
		Op:   syntax.RdrOut,
		N:    &syntax.Lit{Value: "2"},
		Word: &syntax.Word{Parts: []syntax.WordPart{&syntax.Lit{Value: marker}}},
	}
	st.Redirs = append([]*syntax.Redirect{rd}, st.Redirs...)
}

// slot is stderr as a marker redirection opens it: writes go to the
// stderr in effect, and Close frees what opening took.
type slot struct {
	w    io.Writer
	once sync.Once
	free func()
}

func (s *slot) Write(p []byte) (int, error) { return s.w.Write(p) }
func (s *slot) Read([]byte) (int, error)    { return 0, io.EOF }
func (s *slot) Close() error {
	s.once.Do(s.free)
	return nil
}

// openMarker answers the open handler for a marker name.
func (c *pids) openMarker(name string, stderr io.Writer) (io.ReadWriteCloser, error) {
	if s, ok := stderr.(*slot); ok {
		stderr = s.w // no chain of wrappers in deep recursion
	}
	if stderr == nil {
		stderr = io.Discard
	}
	if name == frameMarker {
		if !c.call() {
			return nil, errNesting
		}
		return &slot{w: stderr, free: c.ret}, nil
	}
	if !c.fork() {
		return nil, errFork
	}
	return &slot{w: stderr, free: c.exit}, nil
}

// The interpreter parses three kinds of program itself: eval's, trap
// actions and sourced files. The call handler hands it those rewritten by
// rewriteProgram (a sourced file through sourceMarker, which the open
// handler serves), so that their forks and calls count too.
const sourceMarker = "/proc/.sockerless/source"

// rewriteProgram is src with confineProgram's changes; one that does not
// parse is left for the interpreter to report.
func rewriteProgram(src string) (string, bool) {
	file, err := syntax.NewParser().Parse(strings.NewReader(src), "")
	if err != nil {
		return src, false
	}
	confineProgram(file)
	var b strings.Builder
	if err := syntax.NewPrinter().Print(&b, file); err != nil {
		return src, false
	}
	return b.String(), true
}

func countEval(args []string) []string {
	src, _ := rewriteProgram(strings.Join(args[1:], " "))
	return []string{"eval", src}
}

// countTrap rewrites the action the trap builtin will keep.
func countTrap(args []string) []string {
	if len(args) < 3 || args[1] == "" || strings.HasPrefix(args[1], "-") {
		return args
	}
	out := slices.Clone(args)
	out[1], _ = rewriteProgram(args[1])
	return out
}

// countSource points `. FILE` and `source FILE` at sourceMarker when FILE
// is a readable program, found as the interpreter would (PATH, then the
// working directory) but in the container.
func (s *system) countSource(dir string, env []string, args []string) []string {
	if len(args) < 2 {
		return args
	}
	p := abs(dir, args[1])
	if !strings.Contains(args[1], "/") {
		for _, d := range strings.Split(pathOf(env), ":") {
			if fi, err := s.fs.Stat(abs(dir, path.Join(d, args[1]))); err == nil && fi.Mode().IsRegular() {
				p = abs(dir, path.Join(d, args[1]))
				break
			}
		}
	}
	b, err := s.fs.ReadFile(p)
	if err != nil {
		return args
	}
	if _, ok := rewriteProgram(string(b)); !ok {
		return args
	}
	out := slices.Clone(args)
	out[1] = sourceMarker + p
	return out
}

// openSource serves a sourced file rewritten.
func (s *system) openSource(p string) (io.ReadWriteCloser, error) {
	b, err := s.fs.ReadFile(p)
	if err != nil {
		return nil, err
	}
	src, _ := rewriteProgram(string(b))
	return readOnly{strings.NewReader(src)}, nil
}

type readOnly struct{ io.Reader }

func (readOnly) Write([]byte) (int, error) { return 0, fs.ErrPermission }
func (readOnly) Close() error              { return nil }
