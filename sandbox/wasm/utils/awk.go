package main

import (
	"bufio"
	"fmt"
	"io"
	"math/rand"
	"os"
	"regexp"
	"strings"
)

func init() { register("awk", awk) }

// awk runs a POSIX awk program: patterns and ranges, BEGIN/END, fields,
// variables and arrays, user functions, printf, getline from files, print
// redirection to files, and the string and math built-ins. -F FS, -v
// var=value and -f progfile. system() runs sh -c through the sandbox;
// pipes to and from commands are not available.
func awk(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	var src []string
	var assigns []string
	fs := ""
	rest := args[1:]
	for len(rest) > 0 && len(rest[0]) > 1 && rest[0][0] == '-' {
		a := rest[0]
		rest = rest[1:]
		if a == "--" {
			break
		}
		flag, val := a[:2], a[2:]
		if val == "" && (flag == "-F" || flag == "-v" || flag == "-f") {
			if len(rest) == 0 {
				return errorf(stderr, "awk", "option requires an argument -- %s", flag[1:])
			}
			val, rest = rest[0], rest[1:]
		}
		switch flag {
		case "-F":
			fs = val
		case "-v":
			assigns = append(assigns, val)
		case "-f":
			b, err := os.ReadFile(val)
			if err != nil {
				return errorf(stderr, "awk", "can't open file %s: %s", val, errText(err))
			}
			src = append(src, string(b))
		default:
			return errorf(stderr, "awk", "unknown option %s", a)
		}
	}
	if src == nil {
		if len(rest) == 0 {
			fmt.Fprintln(stderr, "usage: awk [-F fs][-v var=value][prog | -f progfile][file ...]")
			return 2
		}
		src, rest = []string{rest[0]}, rest[1:]
	}
	prog, err := parseAwk(strings.Join(src, "\n"))
	if err != nil {
		fmt.Fprintf(stderr, "awk: %v\n", err)
		return 2
	}
	// main's buffered stdout is used as is, so that flushing it before
	// system() reaches the stream.
	out, ok := stdout.(*bufio.Writer)
	if !ok {
		out = bufio.NewWriter(stdout)
	}
	in := &awkInterp{prog: prog, globals: map[string]*cell{}, regexCache: map[string]*regexp.Regexp{},
		rng: rand.New(rand.NewSource(0))}
	in.io = &awkIO{in: in, operands: rest, stdin: stdin, stdout: out, stderr: stderr,
		outs: map[string]*bufio.Writer{}, outFiles: map[string]*os.File{}, ins: map[string]*bufio.Reader{}, inFiles: map[string]*os.File{}}
	for k, v := range map[string]string{"FS": " ", "OFS": " ", "ORS": "\n", "RS": "\n", "SUBSEP": "\x1c", "CONVFMT": "%.6g", "OFMT": "%.6g"} {
		in.global(k).v = str(v)
	}
	if fs != "" {
		if fs == "t" {
			fs = "\t"
		}
		in.global("FS").v = str(processEscapes(fs))
	}
	for k, v := range map[string]float64{"NR": 0, "FNR": 0, "RSTART": 0, "RLENGTH": -1} {
		in.global(k).v = num(v)
	}
	env := in.global("ENVIRON").array()
	for _, kv := range os.Environ() {
		if k, v, ok := strings.Cut(kv, "="); ok {
			env[k] = strnum(v)
		}
	}
	argv := in.global("ARGV").array()
	argv["0"] = str("awk")
	for i, a := range rest {
		argv[fmt.Sprint(i+1)] = str(a)
	}
	in.global("ARGC").v = num(float64(len(rest) + 1))
	for _, a := range assigns {
		k, v, ok := strings.Cut(a, "=")
		if !ok || !isAwkName(k) {
			return errorf(stderr, "awk", "invalid -v argument: %s", a)
		}
		in.global(k).v = strnum(processEscapes(v))
	}
	err = catchAwk(func() { in.run() })
	in.io.closeAll()
	if ferr := out.Flush(); ferr != nil && err == nil {
		return 2
	}
	if err != nil {
		fmt.Fprintf(stderr, "awk: %v\n", err)
		return 2
	}
	if in.io.failed && in.exitCode == 0 {
		return 2
	}
	return in.exitCode
}

// run executes BEGIN, the records and END; exit in BEGIN or a record
// still runs END, exit in END stops.
func (in *awkInterp) run() {
	exited := in.guard(func() {
		for _, b := range in.prog.begins {
			in.exec(b)
		}
	})
	if !exited && (len(in.prog.items) > 0 || len(in.prog.ends) > 0) {
		exited = in.guard(in.records)
	}
	_ = exited
	in.guard(func() {
		for _, b := range in.prog.ends {
			in.exec(b)
		}
	})
}

// guard runs f and reports whether exit ended it.
func (in *awkInterp) guard(f func()) (exited bool) {
	defer func() {
		if r := recover(); r != nil {
			if _, ok := r.(awkExit); !ok {
				panic(r)
			}
			exited = true
		}
	}()
	f()
	return false
}

func (in *awkInterp) records() {
	for {
		rec, ok := in.io.readRecord()
		if !ok {
			return
		}
		in.bump()
		in.setRecord(rec)
		in.record1()
	}
}

// record1 runs every item against the current record; next ends it.
func (in *awkInterp) record1() {
	defer func() {
		if r := recover(); r != nil {
			if _, ok := r.(awkNext); !ok {
				panic(r)
			}
		}
	}()
	for _, it := range in.prog.items {
		if !in.selects(it) {
			continue
		}
		if !it.hasBody {
			in.print(&printStmt{})
			continue
		}
		in.exec(it.body)
	}
}

func (in *awkInterp) selects(it *awkItem) bool {
	switch {
	case it.pat == nil:
		return true
	case !it.isRange:
		return in.eval(it.pat).truth()
	case it.active:
		if in.eval(it.pat2).truth() {
			it.active = false
		}
		return true
	case in.eval(it.pat).truth():
		it.active = !in.eval(it.pat2).truth()
		return true
	}
	return false
}
