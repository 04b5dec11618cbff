package coreutils

import (
	"context"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
	"time"

	"github.com/sockerless/sockerless/sandbox/command"
)

// ls [-1alRdpF] [FILE]... — one name per line, as busybox prints when
// stdout is not a terminal; -p marks directories with a /, -F also
// executables (*), links (@), fifos (|) and sockets (=).
func ls(_ context.Context, inv *command.Invocation) int {
	o, err := parseOpts(inv.Args[1:], "", map[string]byte{"all": 'a'})
	if err != nil {
		return usage(inv, err)
	}
	l := lister{inv: inv, all: o.has('a'), almost: o.has('A'), long: o.has('l') || o.has('n'),
		recursive: o.has('R'), dirSelf: o.has('d'), slash: o.has('p') || o.has('F'), classify: o.has('F'), ids: newIDNames(inv)}
	names := o.args
	if len(names) == 0 {
		names = []string{"."}
	}
	var files, dirs []string
	for _, n := range names {
		fi, err := inv.FS.Stat(inv.Abs(n))
		if err != nil {
			if _, lerr := inv.FS.Lstat(inv.Abs(n)); lerr == nil {
				files = append(files, n) // dangling link: list the link itself
				continue
			}
			fmt.Fprintf(inv.Stderr, "ls: %s: %s\n", n, errText(err))
			l.status = 1
			continue
		}
		if fi.IsDir() && !l.dirSelf {
			dirs = append(dirs, n)
		} else {
			files = append(files, n)
		}
	}
	sort.Strings(files)
	sort.Strings(dirs)
	for _, f := range files {
		fi, err := inv.FS.Lstat(inv.Abs(f))
		if err != nil { // gone since it was listed
			fmt.Fprintf(inv.Stderr, "ls: %s: %s\n", f, errText(err))
			l.status = 1
			continue
		}
		l.entry(path.Dir(inv.Abs(f)), f, fi)
	}
	header := len(dirs)+len(files) > 1 || l.recursive
	for i, d := range dirs {
		if i > 0 || len(files) > 0 {
			fmt.Fprintln(inv.Stdout)
		}
		l.dir(d, header)
	}
	return l.status
}

type lister struct {
	inv                                   *command.Invocation
	all, almost, long, recursive, dirSelf bool
	slash, classify                       bool // -p, -F
	ids                                   idNames
	status                                int
}

func (l *lister) dir(name string, header bool) {
	abs := l.inv.Abs(name)
	ents, err := l.inv.FS.ReadDir(abs)
	if err != nil {
		fmt.Fprintf(l.inv.Stderr, "ls: %s: %s\n", name, errText(err))
		l.status = 1
		return
	}
	if header {
		fmt.Fprintf(l.inv.Stdout, "%s:\n", name)
	}
	if l.long {
		fmt.Fprintf(l.inv.Stdout, "total %d\n", l.blocks(abs, ents))
	}
	if l.all {
		for _, dot := range []string{".", ".."} {
			if fi, err := l.inv.FS.Stat(path.Join(abs, dot)); err == nil {
				l.entry(abs, dot, fi)
			}
		}
	}
	var subdirs []string
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), ".") && !l.all && !l.almost {
			continue
		}
		fi, err := e.Info()
		if err != nil {
			continue
		}
		l.entry(abs, e.Name(), fi)
		if fi.IsDir() {
			subdirs = append(subdirs, path.Join(name, e.Name()))
		}
	}
	if l.recursive {
		for _, s := range subdirs {
			fmt.Fprintln(l.inv.Stdout)
			l.dir(s, true)
		}
	}
}

// blocks is the "total" line: 1K blocks like busybox.
func (l *lister) blocks(dir string, ents []fs.DirEntry) int64 {
	var n int64
	for _, e := range ents {
		if fi, err := e.Info(); err == nil {
			n += command.StatOf(fi).Blocks / 2
		}
	}
	return n
}

func (l *lister) entry(dir, name string, fi fs.FileInfo) {
	name += l.indicator(fi.Mode())
	if !l.long {
		fmt.Fprintln(l.inv.Stdout, name)
		return
	}
	st := command.StatOf(fi)
	nlink, uid, gid := st.Nlink, st.UID, st.GID
	line := fmt.Sprintf("%-10s %4d %-8.8s %-8.8s %9d %s %s", modeString(fi.Mode()), nlink,
		l.ids.user(uid), l.ids.group(gid), fi.Size(), lsTime(fi.ModTime()), name)
	if fi.Mode()&fs.ModeSymlink != 0 {
		if t, err := l.inv.FS.Readlink(path.Join(dir, name)); err == nil {
			line += " -> " + t
		}
	}
	fmt.Fprintln(l.inv.Stdout, line)
}

// indicator is what -p and -F append to a name.
func (l *lister) indicator(m fs.FileMode) string {
	switch {
	case m.IsDir() && l.slash:
		return "/"
	case !l.classify:
		return ""
	case m&fs.ModeSymlink != 0:
		return "@"
	case m&fs.ModeNamedPipe != 0:
		return "|"
	case m&fs.ModeSocket != 0:
		return "="
	case m.IsRegular() && m&0o111 != 0:
		return "*"
	}
	return ""
}

// lsTime shows the time for recent files and the year for old ones.
func lsTime(t time.Time) string {
	if time.Since(t) < 180*24*time.Hour && time.Until(t) < time.Hour {
		return t.Format("Jan _2 15:04")
	}
	return t.Format("Jan _2  2006")
}

// modeString renders a mode like ls(1); Go's FileMode.String differs for
// links and devices.
func modeString(m fs.FileMode) string {
	b := []byte("----------")
	switch {
	case m.IsDir():
		b[0] = 'd'
	case m&fs.ModeSymlink != 0:
		b[0] = 'l'
	case m&fs.ModeCharDevice != 0:
		b[0] = 'c'
	case m&fs.ModeDevice != 0:
		b[0] = 'b'
	case m&fs.ModeNamedPipe != 0:
		b[0] = 'p'
	case m&fs.ModeSocket != 0:
		b[0] = 's'
	}
	const rwx = "rwxrwxrwx"
	for i := 0; i < 9; i++ {
		if m&(1<<uint(8-i)) != 0 {
			b[i+1] = rwx[i]
		}
	}
	if m&fs.ModeSetuid != 0 {
		b[3] = sOrS(b[3], 's')
	}
	if m&fs.ModeSetgid != 0 {
		b[6] = sOrS(b[6], 's')
	}
	if m&fs.ModeSticky != 0 {
		b[9] = sOrS(b[9], 't')
	}
	return string(b)
}

func sOrS(cur, c byte) byte {
	if cur == 'x' {
		return c
	}
	return c - 'a' + 'A'
}
