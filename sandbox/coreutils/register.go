package coreutils

import (
	"sort"

	"github.com/sockerless/sockerless/sandbox/command"
)

// utilities is every utility of this package by name. The sandbox runs
// them compiled into its WASI utility module; the host runs kill (which
// signals the sandbox's own processes) and the shell's printf
// in-process.
var utilities = map[string]command.Func{
	"basename": basename, "cat": cat, "cp": cp, "cut": cut, "date": date,
	"dirname": dirname, "echo": echo, "env": env, "false": falseCmd, "grep": grep,
	"egrep": egrep, "fgrep": fgrep,
	"head": head, "hostname": hostname, "id": id, "kill": kill, "ln": ln, "ls": ls,
	"mkdir": mkdir, "mv": mv, "printenv": printenv, "printf": printf, "pwd": pwd,
	"rm": rm, "seq": seq, "sleep": sleep, "sort": sortCmd, "tail": tail, "tee": tee,
	"touch": touch, "tr": tr, "true": trueCmd, "uname": uname, "uniq": uniq,
	"wc": wc, "which": which, "whoami": whoami, "yes": yes,
	"rev": rev, "nl": nl, "fold": fold, "paste": paste, "od": od,
	"mktemp": mktemp, "chmod": chmod, "chown": chown, "chgrp": chgrp, "stat": stat, "tar": tarCmd, "timeout": timeout, "wget": wget, "nc": nc,
}

// Names lists the utilities, sorted.
func Names() []string {
	out := make([]string, 0, len(utilities))
	for n := range utilities {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// Lookup returns the utility called name.
func Lookup(name string) (command.Func, bool) {
	f, ok := utilities[name]
	return f, ok
}

// Register adds every utility to r.
func Register(r *command.Registry) {
	for name, fn := range utilities {
		r.Register(name, fn)
	}
}
