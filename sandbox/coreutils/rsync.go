package coreutils

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"strings"

	"github.com/sockerless/sockerless/sandbox/command"
)

// rsyncFlags are rsync's boolean long options and their letters.
var rsyncFlags = map[string]byte{
	"archive": 'a', "recursive": 'r', "relative": 'R', "links": 'l', "perms": 'p', "times": 't',
	"group": 'g', "owner": 'o', "devices": 'D', "verbose": 'v', "quiet": 'q',
}

// rsync [-arRlptgoDvq] [--exclude PATTERN]... [--files-from FILE] SRC... DEST
// copies local files as rsync does: a source ending in "/" (or "/.")
// copies its contents, -R keeps each source's path (after "/./") under
// DEST, --files-from lists paths under the one SRC (a directory it lists
// is made but, without -r, not filled), and --exclude skips
// what a pattern matches (rsync's rules: "*" within a name, "**" across
// "/", a leading "/" anchors at the top, a trailing "/" matches only
// directories). It is what CI helpers run (gitlab-ci-local's artifact
// and cache export) and no more: local paths only, no delta transfer,
// and the owner of a copy is whoever copies it.
func rsync(ctx context.Context, inv *command.Invocation) int {
	var excludes []string
	var filesFrom string
	var rest []string
	args := inv.Args[1:]
	for i := 0; i < len(args); i++ {
		a := args[i]
		name, v, hasV := strings.Cut(strings.TrimPrefix(a, "--"), "=")
		if !strings.HasPrefix(a, "--") || (name != "exclude" && name != "files-from") {
			rest = append(rest, a)
			if a == "--" {
				rest = append(rest, args[i+1:]...)
				break
			}
			continue
		}
		if !hasV {
			if i+1 >= len(args) {
				return rsyncFail(inv, 1, "option '--%s' requires an argument", name)
			}
			i++
			v = args[i]
		}
		if name == "exclude" {
			excludes = append(excludes, v)
		} else {
			filesFrom = v
		}
	}
	o, err := parseOpts(rest, "", rsyncFlags)
	if err != nil {
		return rsyncFail(inv, 1, "%v", err)
	}
	if len(o.args) < 2 {
		return rsyncFail(inv, 1, "a source and a destination are required (rsync [OPTION]... SRC... DEST)")
	}
	for _, a := range o.args {
		if host, _, ok := strings.Cut(a, ":"); ok && !strings.Contains(host, "/") {
			return rsyncFail(inv, 1, "%s: the sandbox's rsync copies local paths only", a)
		}
	}
	r := rsyncer{
		copier:    copier{ctx: ctx, inv: inv, recursive: true, preserve: o.has('a') || o.has('p') || o.has('t')},
		recursive: o.has('r') || o.has('a') && filesFrom == "",
		relative:  o.has('R') || filesFrom != "",
		listed:    filesFrom != "",
		verbose:   o.has('v'),
	}
	for _, p := range excludes {
		m, err := newRsyncPattern(p)
		if err != nil {
			return rsyncFail(inv, 1, "bad exclude pattern %q: %v", p, err)
		}
		r.excludes = append(r.excludes, m)
	}
	srcs, dest := o.args[:len(o.args)-1], o.args[len(o.args)-1]
	if filesFrom != "" {
		if len(srcs) != 1 {
			return rsyncFail(inv, 1, "--files-from takes exactly one source directory")
		}
		list, err := r.readList(filesFrom)
		if err != nil {
			return rsyncFail(inv, 23, "failed to open files-from file %s: %s", filesFrom, errText(err))
		}
		base := strings.TrimSuffix(srcs[0], "/")
		srcs = srcs[:0]
		for _, l := range list {
			srcs = append(srcs, base+"/./"+l)
		}
	}
	return r.run(srcs, dest)
}

type rsyncer struct {
	copier
	recursive, relative, verbose bool
	listed                       bool // the sources came from --files-from
	excludes                     []rsyncPattern
	failed                       bool
}

// readList reads a --files-from list: one path a line, "-" for stdin.
func (r *rsyncer) readList(name string) ([]string, error) {
	var data []byte
	var err error
	if name == "-" {
		var b strings.Builder
		err = eachLine(r.ctx, r.inv.Stdin, func(l string) error { b.WriteString(l + "\n"); return nil })
		data = []byte(b.String())
	} else {
		data, err = r.inv.FS.ReadFile(r.inv.Abs(name))
	}
	if err != nil {
		return nil, err
	}
	var out []string
	for _, l := range strings.Split(string(data), "\n") {
		if l = strings.TrimRight(l, "\r"); l != "" && l[0] != '#' && l[0] != ';' {
			out = append(out, l)
		}
	}
	return out, nil
}

func (r *rsyncer) run(srcs []string, dest string) int {
	destAbs := r.inv.Abs(dest)
	fi, err := r.inv.FS.Stat(destAbs)
	destDir := err == nil && fi.IsDir()
	if err != nil && !r.fileToFile(srcs, dest) {
		// rsync creates the destination directory (not its parents).
		if err := r.inv.FS.Mkdir(destAbs, 0o755); err != nil && !errors.Is(err, fs.ErrExist) {
			return rsyncFail(r.inv, 11, "mkdir %q failed: %s", dest, errText(err))
		}
		destDir = true
	}
	for _, s := range srcs {
		if err := r.ctx.Err(); err != nil {
			return 20
		}
		r.source(s, destAbs, destDir)
	}
	if r.failed {
		fmt.Fprintf(r.inv.Stderr, "rsync error: %s (code 23)\n", rsyncCodes[23])
		return 23
	}
	return 0
}

// fileToFile reports a copy of one file to a destination that names a
// file, not a directory to copy into.
func (r *rsyncer) fileToFile(srcs []string, dest string) bool {
	if len(srcs) != 1 || r.relative || strings.HasSuffix(dest, "/") || strings.HasSuffix(dest, "/.") {
		return false
	}
	fi, err := r.inv.FS.Stat(r.inv.Abs(srcs[0]))
	return err == nil && !fi.IsDir()
}

// source copies one source operand into dest.
func (r *rsyncer) source(s, dest string, destDir bool) {
	contents := strings.HasSuffix(s, "/") || strings.HasSuffix(s, "/.") || s == "."
	abs := r.inv.Abs(s)
	fi, err := r.inv.FS.Lstat(abs)
	if err != nil {
		r.fail("[sender] link_stat %q failed: %s", abs, errText(err))
		return
	}
	var rel string // the source's path under dest, "" for dest itself
	switch {
	case r.relative:
		rel = s
		if _, after, ok := strings.Cut(s, "/./"); ok {
			rel = after
		}
		rel = strings.TrimPrefix(path.Clean("/"+rel), "/")
		// The implied directories above it are created first.
		if dir := path.Dir(rel); dir != "." {
			if err := r.inv.FS.MkdirAll(path.Join(dest, dir), 0o755); err != nil {
				r.fail("mkdir %q failed: %s", path.Join(dest, dir), errText(err))
				return
			}
		}
	case contents && fi.IsDir():
		rel = ""
	case destDir:
		rel = path.Base(abs)
	}
	if rel != "" && r.excluded(rel, fi.IsDir()) {
		return
	}
	r.entry(abs, path.Join(dest, rel), rel, fi)
}

// entry copies src (rel under the transfer's top) to dst.
func (r *rsyncer) entry(src, dst, rel string, fi fs.FileInfo) {
	if !fi.IsDir() {
		if err := r.copy(src, dst, rel); err != nil {
			r.fail("%s", errMsg(err, rel))
			return
		}
		r.log(rel)
		return
	}
	if !r.recursive && rel != "" && !r.listed {
		fmt.Fprintf(r.inv.Stdout, "skipping directory %s\n", rel)
		return
	}
	if err := r.inv.FS.Mkdir(dst, fi.Mode().Perm()|0o700); err != nil && !errors.Is(err, fs.ErrExist) {
		r.fail("mkdir %q failed: %s", dst, errText(err))
		return
	}
	r.log(rel + "/")
	if !r.recursive && rel != "" {
		// A directory --files-from lists is made, not filled, without -r.
		return
	}
	ents, err := r.inv.FS.ReadDir(src)
	if err != nil {
		r.fail("opendir %q failed: %s", src, errText(err))
		return
	}
	for _, e := range ents {
		if r.ctx.Err() != nil {
			return
		}
		childRel := path.Join(rel, e.Name())
		cfi, err := r.inv.FS.Lstat(path.Join(src, e.Name()))
		if err != nil {
			r.fail("link_stat %q failed: %s", path.Join(src, e.Name()), errText(err))
			continue
		}
		if r.excluded(childRel, cfi.IsDir()) {
			continue
		}
		r.entry(path.Join(src, e.Name()), path.Join(dst, e.Name()), childRel, cfi)
	}
	if err := r.finish(dst, fi); err != nil {
		r.fail("%s", errMsg(err, rel))
	}
}

func (r *rsyncer) log(rel string) {
	if r.verbose && rel != "" && rel != "/" {
		fmt.Fprintln(r.inv.Stdout, rel)
	}
}

func (r *rsyncer) fail(format string, args ...any) {
	fmt.Fprintf(r.inv.Stderr, "rsync: "+format+"\n", args...)
	r.failed = true
}

func (r *rsyncer) excluded(rel string, dir bool) bool {
	for _, p := range r.excludes {
		if p.match(rel, dir) {
			return true
		}
	}
	return false
}

// rsyncPattern is one --exclude pattern.
type rsyncPattern struct {
	re       *regexp.Regexp
	dirOnly  bool
	anchored bool // a leading "/": matched against the whole path
	whole    bool // has a "/": matched against the path's tail at a "/"
}

func newRsyncPattern(p string) (rsyncPattern, error) {
	var m rsyncPattern
	if strings.HasSuffix(p, "/") {
		m.dirOnly, p = true, strings.TrimSuffix(p, "/")
	}
	if strings.HasPrefix(p, "/") {
		m.anchored, p = true, strings.TrimPrefix(p, "/")
	}
	m.whole = strings.Contains(p, "/")
	var b strings.Builder
	b.WriteString("^")
	for i := 0; i < len(p); i++ {
		switch c := p[i]; {
		case c == '*' && i+1 < len(p) && p[i+1] == '*':
			b.WriteString(".*")
			i++
		case c == '*':
			b.WriteString("[^/]*")
		case c == '?':
			b.WriteString("[^/]")
		case c == '[':
			j := strings.IndexByte(p[i:], ']')
			if j < 0 {
				b.WriteString(`\[`)
				continue
			}
			b.WriteString(strings.Replace(p[i:i+j+1], "[!", "[^", 1))
			i += j
		default:
			b.WriteString(regexp.QuoteMeta(string(c)))
		}
	}
	b.WriteString("$")
	re, err := regexp.Compile(b.String())
	m.re = re
	return m, err
}

func (m rsyncPattern) match(rel string, dir bool) bool {
	if m.dirOnly && !dir {
		return false
	}
	switch {
	case m.anchored:
		return m.re.MatchString(rel)
	case m.whole:
		// Any tail of the path that starts at a component.
		for s := rel; ; {
			if m.re.MatchString(s) {
				return true
			}
			_, after, ok := strings.Cut(s, "/")
			if !ok {
				return false
			}
			s = after
		}
	}
	return m.re.MatchString(path.Base(rel))
}

func rsyncFail(inv *command.Invocation, code int, format string, args ...any) int {
	fmt.Fprintf(inv.Stderr, "rsync: "+format+"\n", args...)
	fmt.Fprintf(inv.Stderr, "rsync error: %s (code %d)\n", rsyncCodes[code], code)
	return code
}

// rsyncCodes are rsync's exit codes' messages.
var rsyncCodes = map[int]string{
	1:  "syntax or usage error",
	11: "error in file IO",
	23: "some files/attrs were not transferred (see previous errors)",
}
