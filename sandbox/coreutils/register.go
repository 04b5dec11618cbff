package coreutils

import "github.com/sockerless/sockerless/sandbox/command"

// Register adds every utility of this package to r.
func Register(r *command.Registry) {
	for name, fn := range map[string]command.Func{
		"basename": basename, "cat": cat, "cp": cp, "cut": cut, "date": date,
		"dirname": dirname, "echo": echo, "env": env, "false": falseCmd, "grep": grep,
		"head": head, "hostname": hostname, "id": id, "kill": kill, "ln": ln, "ls": ls,
		"mkdir": mkdir, "mv": mv, "printenv": printenv, "printf": printf, "pwd": pwd,
		"rm": rm, "seq": seq, "sleep": sleep, "sort": sortCmd, "tail": tail, "tee": tee,
		"touch": touch, "tr": tr, "true": trueCmd, "uname": uname, "uniq": uniq,
		"wc": wc, "which": which, "whoami": whoami, "yes": yes,
		"rev": rev, "nl": nl, "fold": fold, "paste": paste, "od": od,
		"chmod": chmod, "stat": stat, "tar": tarCmd, "timeout": timeout, "wget": wget, "nc": nc,
	} {
		r.Register(name, fn)
	}
	r.Register("egrep", command.Func(egrep))
	r.Register("fgrep", command.Func(fgrep))
}
