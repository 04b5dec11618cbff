package coreutils

import (
	"context"
	"fmt"
	"io/fs"
	"path"
	"strconv"
	"strings"

	"github.com/sockerless/sockerless/sandbox/command"
)

// chown [-RhHLPcvf] USER[:[GROUP]] FILE... (also USER.GROUP and :GROUP)
func chown(_ context.Context, inv *command.Invocation) int {
	return changeOwners(inv, func(spec string) (uid, gid int, err error) {
		return parseOwner(inv, spec)
	})
}

// chgrp [-RhHLPcvf] GROUP FILE...
func chgrp(_ context.Context, inv *command.Invocation) int {
	return changeOwners(inv, func(spec string) (int, int, error) {
		gid, err := lookupID(inv, "/etc/group", spec, "group")
		return -1, gid, err
	})
}

// changeOwners is chown and chgrp once the owner operand is read:
// without -R a symlink operand is followed unless -h; with -R, as
// busybox's default -P, no symlink is (-H and -L follow those named on
// the command line). -R changes a directory's entries before it.
func changeOwners(inv *command.Invocation, owner func(spec string) (uid, gid int, err error)) int {
	o, err := parseOpts(inv.Args[1:], "", map[string]byte{"recursive": 'R', "no-dereference": 'h',
		"verbose": 'v', "changes": 'c', "silent": 'f', "quiet": 'f'})
	if err != nil {
		return usage(inv, err)
	}
	if len(o.args) < 2 {
		return usage(inv, fmt.Errorf("missing operand"))
	}
	uid, gid, err := owner(o.args[0])
	if err != nil {
		return inv.Errorf("%v", err)
	}
	status := 0
	change := func(name string, follow bool) {
		p := inv.Abs(name)
		get := inv.FS.Lstat
		if follow {
			get = inv.FS.Stat
		}
		fi, err := get(p)
		if err != nil {
			fmt.Fprintf(inv.Stderr, "%s: %s: %s\n", inv.Name(), name, errText(err))
			status = 1
			return
		}
		// -f hides only the change's failure, as busybox's does.
		if err := inv.FS.Chown(p, uid, gid, follow); err != nil {
			if !o.has('f') {
				fmt.Fprintf(inv.Stderr, "%s: %s: %s\n", inv.Name(), name, errText(err))
			}
			status = 1
			return
		}
		st := command.StatOf(fi)
		nu, ng := keep(uid, st.UID), keep(gid, st.GID)
		if o.has('v') || (o.has('c') && (nu != st.UID || ng != st.GID)) {
			fmt.Fprintf(inv.Stdout, "changed ownership of '%s' to %d:%d\n", name, nu, ng)
		}
	}
	var walk func(name string, top bool)
	walk = func(name string, top bool) {
		follow := top && (!o.has('R') && !o.has('h') || o.has('H') || o.has('L'))
		if o.has('R') {
			get := inv.FS.Lstat
			if follow {
				get = inv.FS.Stat
			}
			if fi, err := get(inv.Abs(name)); err == nil && fi.Mode()&fs.ModeSymlink == 0 && fi.IsDir() {
				ents, err := inv.FS.ReadDir(inv.Abs(name))
				if err != nil {
					fmt.Fprintf(inv.Stderr, "%s: %s: %s\n", inv.Name(), name, errText(err))
					status = 1
				}
				for _, e := range ents {
					walk(path.Join(name, e.Name()), false)
				}
			}
		}
		change(name, follow)
	}
	for _, name := range o.args[1:] {
		walk(name, true)
	}
	return status
}

func keep(id, cur int) int {
	if id < 0 {
		return cur
	}
	return id
}

// parseOwner reads USER, USER:GROUP, USER: (the user's login group),
// :GROUP, and the same with '.' for ':'; -1 leaves an id unchanged.
func parseOwner(inv *command.Invocation, spec string) (uid, gid int, err error) {
	user, group, sep := strings.Cut(spec, ":")
	if !sep {
		user, group, sep = strings.Cut(spec, ".")
	}
	uid, gid = -1, -1
	if user != "" || !sep {
		if uid, err = lookupID(inv, "/etc/passwd", user, "user"); err != nil {
			return 0, 0, err
		}
	}
	switch {
	case group != "":
		gid, err = lookupID(inv, "/etc/group", group, "group")
	case sep && user != "":
		gid, err = loginGroup(inv, user, uid)
	}
	return uid, gid, err
}

// lookupID resolves a numeric id or a name of the container's file
// (/etc/passwd or /etc/group), as busybox does: numbers first.
func lookupID(inv *command.Invocation, file, name, kind string) (int, error) {
	if n, err := strconv.ParseUint(name, 10, 31); err == nil {
		return int(n), nil
	}
	if f, ok := idEntry(inv, file, func(f []string) bool { return f[0] == name }); ok && name != "" {
		if id, err := strconv.Atoi(f[2]); err == nil {
			return id, nil
		}
	}
	if name == "root" {
		return 0, nil // every image has root, named or not
	}
	return 0, fmt.Errorf("unknown %s %s", kind, name)
}

// loginGroup is the gid /etc/passwd gives user (found by name, or by
// uid when user is a number).
func loginGroup(inv *command.Invocation, user string, uid int) (int, error) {
	f, ok := idEntry(inv, "/etc/passwd", func(f []string) bool { return f[0] == user || f[2] == strconv.Itoa(uid) })
	if ok && len(f) > 3 {
		if gid, err := strconv.Atoi(f[3]); err == nil {
			return gid, nil
		}
	}
	return 0, fmt.Errorf("unknown user %s", user)
}

// idEntry returns the fields of the first name:x:id:... line of file
// that match accepts.
func idEntry(inv *command.Invocation, file string, match func(fields []string) bool) ([]string, bool) {
	b, err := inv.FS.ReadFile(file)
	if err != nil {
		return nil, false
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Split(line, ":"); len(f) >= 3 && match(f) {
			return f, true
		}
	}
	return nil, false
}
