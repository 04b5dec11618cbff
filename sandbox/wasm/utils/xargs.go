package main

import (
	"bufio"
	"bytes"
	"io"
	"os"
	"strconv"
	"strings"
	"unicode"
)

func init() { register("xargs", xargs) }

// flusher is the buffered stdout main hands utilities: it must be flushed
// before a child writes to the same stream.
type flusher interface{ Flush() error }

// runChild runs args through the sandbox after flushing stdout.
func runChild(stdout io.Writer, args []string, nullStdin bool) int {
	if f, ok := stdout.(flusher); ok {
		f.Flush()
	}
	return hostExec(workDir(), args, os.Environ(), nullStdin, 0)
}

// xargs builds command lines from stdin: -n MAX args per command, -I
// REPL one line per command substituted into the arguments, -0 NUL
// separated input, -d DELIM, -r no run on empty input, -t trace, -L MAX
// lines. Arguments are split at blanks with quotes and backslashes as
// POSIX says. Exit status: 123 if a command failed, 127 if one was not
// found, 126 if it could not run.
func xargs(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	flags, cmd, bad := leadingFlagSet(args[1:], "nIdLsP")
	if bad != 0 {
		return errorf(stderr, "xargs", "option requires an argument -- '%c'", bad)
	}
	if len(cmd) == 0 {
		cmd = []string{"echo"}
	}
	last := func(c byte) string { v := flags[c]; return v[len(v)-1] }
	maxArgs := 0
	if flags['n'] != nil {
		n, err := strconv.Atoi(last('n'))
		if err != nil || n < 1 {
			return errorf(stderr, "xargs", "invalid number for -n: %s", last('n'))
		}
		maxArgs = n
	}
	maxLines := 0
	if flags['L'] != nil {
		n, err := strconv.Atoi(last('L'))
		if err != nil || n < 1 {
			return errorf(stderr, "xargs", "invalid number for -L: %s", last('L'))
		}
		maxLines = n
	}
	data, err := io.ReadAll(stdin)
	if err != nil {
		return errorf(stderr, "xargs", "%s", errText(err))
	}
	var groups [][]string // one per command run
	switch {
	case flags['I'] != nil:
		repl := last('I')
		for _, line := range strings.Split(strings.TrimSuffix(string(data), "\n"), "\n") {
			if line = strings.TrimLeftFunc(line, unicode.IsSpace); line == "" {
				continue
			}
			c := make([]string, len(cmd))
			for i, a := range cmd {
				c[i] = strings.ReplaceAll(a, repl, line)
			}
			groups = append(groups, c)
		}
	case maxLines > 0:
		var cur []string
		n := 0
		for _, line := range strings.Split(string(data), "\n") {
			words, _ := splitWords(line)
			if len(words) == 0 {
				continue
			}
			cur, n = append(cur, words...), n+1
			if n == maxLines {
				groups, cur, n = append(groups, append(append([]string{}, cmd...), cur...)), nil, 0
			}
		}
		if len(cur) > 0 {
			groups = append(groups, append(append([]string{}, cmd...), cur...))
		}
	default:
		var items []string
		switch {
		case flags['0'] != nil:
			items = strings.Split(strings.TrimSuffix(string(data), "\x00"), "\x00")
		case flags['d'] != nil:
			d := processEscapes(last('d'))
			items = strings.Split(strings.TrimSuffix(string(data), d), d)
		default:
			var err error
			if items, err = splitWords(string(data)); err != nil {
				return errorf(stderr, "xargs", "%v", err)
			}
		}
		if len(items) == 1 && items[0] == "" {
			items = nil
		}
		if len(items) == 0 && flags['r'] == nil {
			groups = append(groups, append([]string{}, cmd...))
		}
		for len(items) > 0 {
			n := len(items)
			if maxArgs > 0 && n > maxArgs {
				n = maxArgs
			}
			groups = append(groups, append(append([]string{}, cmd...), items[:n]...))
			items = items[n:]
		}
	}
	status := 0
	for _, g := range groups {
		if flags['t'] != nil {
			io.WriteString(stderr, strings.Join(g, " ")+"\n")
		}
		switch code := runChild(stdout, g, true); {
		case code == 255:
			errorf(stderr, "xargs", "%s: exited with status 255; aborting", g[0])
			return 124
		case code == 127 || code == 126:
			return code
		case code != 0:
			status = 123
		}
	}
	return status
}

// splitWords splits xargs input at blanks and newlines, honouring single
// and double quotes and backslash escapes.
func splitWords(s string) ([]string, error) {
	var words []string
	var cur bytes.Buffer
	inWord := false
	r := bufio.NewReader(strings.NewReader(s))
	for {
		c, err := r.ReadByte()
		if err != nil {
			break
		}
		switch {
		case c == ' ' || c == '\t' || c == '\n':
			if inWord {
				words, inWord = append(words, cur.String()), false
				cur.Reset()
			}
		case c == '\\':
			n, err := r.ReadByte()
			if err == nil {
				cur.WriteByte(n)
			}
			inWord = true
		case c == '\'' || c == '"':
			inWord = true
			for {
				n, err := r.ReadByte()
				if err != nil || n == '\n' {
					return nil, errUnmatchedQuote(c)
				}
				if n == c {
					break
				}
				cur.WriteByte(n)
			}
		default:
			cur.WriteByte(c)
			inWord = true
		}
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words, nil
}

type errUnmatchedQuote byte

func (e errUnmatchedQuote) Error() string {
	q := "single"
	if e == '"' {
		q = "double"
	}
	return "unmatched " + q + " quote; by default quotes are special to xargs unless you use the -0 option"
}
