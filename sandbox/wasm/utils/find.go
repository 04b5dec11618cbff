package main

import (
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"strconv"
	"strings"
	"time"
)

func init() { register("find", find) }

// findExpr is one test or action of a find expression.
type findExpr func(p string, fi fs.FileInfo, depth int) bool

type finder struct {
	stdout, stderr     io.Writer
	minDepth, maxDepth int
	depthFirst, prune  bool
	hasAction          bool
	status             int
	args               []string
	now                time.Time
	batches            []*execBatch // -exec ... {} + commands, run at the end
}

// execBatch is an -exec ... {} + command and the paths it collected.
type execBatch struct {
	cmd   []string
	paths []string
}

// find walks directories: -name -iname -path -type -size -empty -mtime
// -newer -maxdepth -mindepth, ! -not -a -o ( ), -print -print0 -prune
// -delete -depth, and -exec CMD {} ; or + (run by the sandbox through
// its host function).
func find(args []string, _ io.Reader, stdout, stderr io.Writer) int {
	f := &finder{stdout: stdout, stderr: stderr, maxDepth: -1, now: time.Now()}
	args = args[1:]
	var roots []string
	for len(args) > 0 && !strings.HasPrefix(args[0], "-") && args[0] != "!" && args[0] != "(" {
		roots, args = append(roots, args[0]), args[1:]
	}
	if len(roots) == 0 {
		roots = []string{"."}
	}
	f.args = args
	expr, err := f.parseOr()
	if err == nil && len(f.args) > 0 {
		err = fmt.Errorf("unexpected argument: %s", f.args[0])
	}
	if err != nil {
		return errorf(stderr, "find", "%v", err)
	}
	if expr == nil {
		expr = func(string, fs.FileInfo, int) bool { return true }
	}
	if !f.hasAction {
		inner := expr
		expr = func(p string, fi fs.FileInfo, d int) bool {
			if inner(p, fi, d) {
				fmt.Fprintln(stdout, p)
			}
			return true
		}
	}
	for _, r := range roots {
		fi, err := os.Lstat(r)
		if err != nil {
			f.status = errorf(stderr, "find", "%s: %s", r, errText(err))
			continue
		}
		f.walk(r, fi, 0, expr)
	}
	for _, b := range f.batches {
		f.runBatch(b)
	}
	return f.status
}

func (f *finder) walk(p string, fi fs.FileInfo, depth int, expr findExpr) {
	visit := func() {
		if depth >= f.minDepth {
			f.prune = false
			expr(p, fi, depth)
		}
	}
	if !f.depthFirst {
		visit()
		if f.prune {
			f.prune = false
			return
		}
	}
	if fi.IsDir() && (f.maxDepth < 0 || depth < f.maxDepth) {
		entries, err := os.ReadDir(p)
		if err != nil {
			f.status = errorf(f.stderr, "find", "%s: %s", p, errText(err))
		}
		for _, e := range entries {
			// Not path.Join: find prints paths as built, "./a/b".
			child := strings.TrimSuffix(p, "/") + "/" + e.Name()
			cfi, err := os.Lstat(child)
			if err != nil {
				f.status = errorf(f.stderr, "find", "%s: %s", child, errText(err))
				continue
			}
			f.walk(child, cfi, depth+1, expr)
		}
	}
	if f.depthFirst {
		visit()
	}
}

func (f *finder) take() (string, error) {
	if len(f.args) == 0 {
		return "", fmt.Errorf("missing argument")
	}
	a := f.args[0]
	f.args = f.args[1:]
	return a, nil
}

func (f *finder) parseOr() (findExpr, error) {
	l, err := f.parseAnd()
	for err == nil && len(f.args) > 0 && (f.args[0] == "-o" || f.args[0] == "-or") {
		f.args = f.args[1:]
		var r findExpr
		if r, err = f.parseAnd(); err == nil {
			a, b := l, r
			l = func(p string, fi fs.FileInfo, d int) bool { return a(p, fi, d) || b(p, fi, d) }
		}
	}
	return l, err
}

func (f *finder) parseAnd() (findExpr, error) {
	l, err := f.parseNot()
	for err == nil && len(f.args) > 0 && f.args[0] != "-o" && f.args[0] != "-or" && f.args[0] != ")" {
		if f.args[0] == "-a" || f.args[0] == "-and" {
			f.args = f.args[1:]
		}
		var r findExpr
		if r, err = f.parseNot(); err == nil {
			a, b := l, r
			if a == nil {
				l = b
				continue
			}
			l = func(p string, fi fs.FileInfo, d int) bool { return a(p, fi, d) && b(p, fi, d) }
		}
	}
	return l, err
}

func (f *finder) parseNot() (findExpr, error) {
	if len(f.args) > 0 && (f.args[0] == "!" || f.args[0] == "-not") {
		f.args = f.args[1:]
		e, err := f.parseNot()
		if err != nil {
			return nil, err
		}
		return func(p string, fi fs.FileInfo, d int) bool { return !e(p, fi, d) }, nil
	}
	return f.primary()
}

func (f *finder) primary() (findExpr, error) {
	if len(f.args) == 0 {
		return nil, nil
	}
	op, _ := f.take()
	always := func(string, fs.FileInfo, int) bool { return true }
	switch op {
	case "(":
		e, err := f.parseOr()
		if err != nil {
			return nil, err
		}
		if c, _ := f.take(); c != ")" {
			return nil, fmt.Errorf("missing ')'")
		}
		return e, nil
	case "-name", "-iname", "-path", "-wholename", "-ipath":
		pat, err := f.take()
		if err != nil {
			return nil, fmt.Errorf("%s: %v", op, err)
		}
		fold := op == "-iname" || op == "-ipath"
		if fold {
			pat = strings.ToLower(pat)
		}
		if _, err := path.Match(pat, ""); err != nil {
			return nil, fmt.Errorf("%s: bad pattern %q", op, pat)
		}
		whole := op != "-name" && op != "-iname"
		return func(p string, _ fs.FileInfo, _ int) bool {
			s := p
			if !whole {
				s = path.Base(p)
			}
			if fold {
				s = strings.ToLower(s)
			}
			ok, _ := path.Match(pat, s)
			return ok
		}, nil
	case "-type":
		t, err := f.take()
		if err != nil {
			return nil, fmt.Errorf("-type: %v", err)
		}
		return func(_ string, fi fs.FileInfo, _ int) bool {
			m := fi.Mode()
			for _, c := range strings.Split(t, ",") {
				switch {
				case c == "f" && m.IsRegular(), c == "d" && m.IsDir(), c == "l" && m&fs.ModeSymlink != 0,
					c == "p" && m&fs.ModeNamedPipe != 0, c == "s" && m&fs.ModeSocket != 0,
					c == "c" && m&fs.ModeCharDevice != 0, c == "b" && m&fs.ModeDevice != 0 && m&fs.ModeCharDevice == 0:
					return true
				}
			}
			return false
		}, nil
	case "-maxdepth", "-mindepth":
		v, err := f.take()
		n, cerr := strconv.Atoi(v)
		if err != nil || cerr != nil || n < 0 {
			return nil, fmt.Errorf("%s: bad depth %q", op, v)
		}
		if op == "-maxdepth" {
			f.maxDepth = n
		} else {
			f.minDepth = n
		}
		return always, nil
	case "-depth":
		f.depthFirst = true
		return always, nil
	case "-empty":
		return func(p string, fi fs.FileInfo, _ int) bool {
			if fi.IsDir() {
				es, err := os.ReadDir(p)
				return err == nil && len(es) == 0
			}
			return fi.Mode().IsRegular() && fi.Size() == 0
		}, nil
	case "-size":
		v, err := f.take()
		if err != nil {
			return nil, fmt.Errorf("-size: %v", err)
		}
		return sizeTest(v)
	case "-mtime", "-mmin":
		v, err := f.take()
		if err != nil {
			return nil, fmt.Errorf("%s: %v", op, err)
		}
		unit := 24 * time.Hour
		if op == "-mmin" {
			unit = time.Minute
		}
		cmp, n, err := signedNumber(v)
		if err != nil {
			return nil, fmt.Errorf("%s: %v", op, err)
		}
		return func(_ string, fi fs.FileInfo, _ int) bool {
			age := int64(f.now.Sub(fi.ModTime()) / unit)
			return cmp(age, n)
		}, nil
	case "-newer":
		ref, err := f.take()
		if err != nil {
			return nil, fmt.Errorf("-newer: %v", err)
		}
		rfi, err := os.Stat(ref)
		if err != nil {
			return nil, fmt.Errorf("%s: %s", ref, errText(err))
		}
		return func(_ string, fi fs.FileInfo, _ int) bool { return fi.ModTime().After(rfi.ModTime()) }, nil
	case "-print", "-print0":
		f.hasAction = true
		end := "\n"
		if op == "-print0" {
			end = "\x00"
		}
		return func(p string, _ fs.FileInfo, _ int) bool {
			fmt.Fprint(f.stdout, p+end)
			return true
		}, nil
	case "-prune":
		return func(string, fs.FileInfo, int) bool {
			f.prune = true
			return true
		}, nil
	case "-delete":
		f.hasAction, f.depthFirst = true, true
		return func(p string, _ fs.FileInfo, _ int) bool {
			if p == "." {
				return true
			}
			if err := os.Remove(p); err != nil {
				f.status = errorf(f.stderr, "find", "%s: %s", p, errText(err))
				return false
			}
			return true
		}, nil
	case "-true":
		return always, nil
	case "-false":
		return func(string, fs.FileInfo, int) bool { return false }, nil
	case "-exec":
		return f.exec()
	case "-execdir", "-ok", "-okdir":
		return nil, fmt.Errorf("%s is not supported in the sandbox; use -exec", op)
	}
	return nil, fmt.Errorf("unknown predicate '%s'", op)
}

// signedNumber parses find's N, +N (more than) and -N (less than).
func signedNumber(v string) (func(a, n int64) bool, int64, error) {
	cmp := func(a, n int64) bool { return a == n }
	switch {
	case strings.HasPrefix(v, "+"):
		cmp, v = func(a, n int64) bool { return a > n }, v[1:]
	case strings.HasPrefix(v, "-"):
		cmp, v = func(a, n int64) bool { return a < n }, v[1:]
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return nil, 0, fmt.Errorf("bad number %q", v)
	}
	return cmp, n, nil
}

// sizeTest is -size [+-]N[ckMG]; without a unit N counts 512-byte
// blocks, rounded up.
func sizeTest(v string) (findExpr, error) {
	unit := int64(512)
	if v != "" {
		switch v[len(v)-1] {
		case 'c':
			unit, v = 1, v[:len(v)-1]
		case 'k':
			unit, v = 1<<10, v[:len(v)-1]
		case 'M':
			unit, v = 1<<20, v[:len(v)-1]
		case 'G':
			unit, v = 1<<30, v[:len(v)-1]
		case 'b':
			v = v[:len(v)-1]
		}
	}
	cmp, n, err := signedNumber(v)
	if err != nil {
		return nil, fmt.Errorf("-size: %v", err)
	}
	return func(_ string, fi fs.FileInfo, _ int) bool {
		return cmp((fi.Size()+unit-1)/unit, n)
	}, nil
}

// exec parses -exec CMD... ; (once per path, true when it exits 0) or
// -exec CMD... {} + (paths batched, run at the end).
func (f *finder) exec() (findExpr, error) {
	var cmd []string
	for {
		a, err := f.take()
		if err != nil {
			return nil, fmt.Errorf("-exec: missing terminating ';' or '+'")
		}
		if a == ";" {
			break
		}
		if a == "+" && len(cmd) > 0 && cmd[len(cmd)-1] == "{}" {
			b := &execBatch{cmd: cmd[:len(cmd)-1]}
			f.batches = append(f.batches, b)
			f.hasAction = true
			return func(p string, _ fs.FileInfo, _ int) bool {
				if b.paths = append(b.paths, p); len(b.paths) >= 1000 {
					f.runBatch(b)
				}
				return true
			}, nil
		}
		cmd = append(cmd, a)
	}
	if len(cmd) == 0 {
		return nil, fmt.Errorf("-exec: no command")
	}
	f.hasAction = true
	return func(p string, _ fs.FileInfo, _ int) bool {
		args := make([]string, len(cmd))
		for i, a := range cmd {
			args[i] = strings.ReplaceAll(a, "{}", p)
		}
		return runChild(f.stdout, args, false) == 0
	}, nil
}

func (f *finder) runBatch(b *execBatch) {
	if len(b.paths) == 0 {
		return
	}
	if runChild(f.stdout, append(append([]string{}, b.cmd...), b.paths...), false) != 0 {
		f.status = 1
	}
	b.paths = b.paths[:0]
}
