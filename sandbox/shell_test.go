package sandbox

import (
	"context"
	"io"
	"strings"
	"testing"
	"time"
)

func TestScripts(t *testing.T) {
	for _, tc := range []struct {
		name   string
		args   []string
		stdin  string
		want   string
		code   int
		errHas string
	}{
		{name: "pipe", args: sh(`printf 'b\na\nc\n' | sort | head -n 2`), want: "a\nb\n"},
		{name: "redirect and append", args: sh(`echo one > /f; echo two >> /f; cat < /f`), want: "one\ntwo\n"},
		{name: "stderr redirect", args: sh(`ls /nope 2>/dev/null; echo $?`), want: "1\n"},
		{name: "for loop", args: sh(`for i in $(seq 3); do echo "n$i"; done`), want: "n1\nn2\nn3\n"},
		{name: "while read", args: sh(`printf 'x y\nz w\n' | while read a b; do echo "$b$a"; done`), want: "yx\nwz\n"},
		{name: "function", args: sh(`greet() { echo "hi $1"; return 4; }; greet bob; echo $?`), want: "hi bob\n4\n"},
		{name: "here-doc", args: sh("cat <<EOF\nline $((1+2))\nEOF"), want: "line 3\n"},
		{name: "exit code", args: sh(`exit 42`), code: 42},
		{name: "false is 1", args: []string{"false"}, code: 1},
		{name: "set -e stops", args: []string{"sh", "-ec", "false; echo no"}, code: 1},
		{name: "exit trap", args: sh(`trap 'echo bye' EXIT; echo hi; exit 3`), want: "hi\nbye\n", code: 3},
		{name: "positional params", args: []string{"sh", "-c", `echo "$0 $1 $#"`, "name", "a", "b"}, want: "name a 2\n"},
		{name: "stdin script", args: []string{"sh"}, stdin: "echo from stdin\nexit 5\n", want: "from stdin\n", code: 5},
		{name: "stdin last line without newline", args: []string{"sh"}, stdin: "echo a\necho b", want: "a\nb\n"},
		{name: "bash alias", args: []string{"/bin/bash", "-c", `a=(1 2 3); echo ${#a[@]}`}, want: "3\n"},
		{name: "env sh", args: []string{"/usr/bin/env", "FOO=bar", "sh", "-c", "echo $FOO"}, want: "bar\n"},
		{name: "glob", args: sh(`mkdir /g; touch /g/a.txt /g/b.txt /g/c.log; echo /g/*.txt`), want: "/g/a.txt /g/b.txt\n"},
		{name: "test builtin sees root", args: sh(`mkdir /d; [ -d /d ] && test ! -f /d && [ -w /d ] && echo ok`), want: "ok\n"},
		{name: "cd and pwd", args: sh(`mkdir -p /x/y; cd /x/y; pwd; cd ../..; pwd`), want: "/x/y\n/\n"},
		{name: "dollar dollar is sandbox pid", args: sh(`kill -0 $$ && echo alive`), want: "alive\n"},
		{name: "command -v searches container", args: sh(`command -v nosuchtool || echo missing`), want: "missing\n"},
		{name: "syntax error", args: sh(`if then`), code: 2, errHas: "sh:"},
		{name: "defaults in env", args: sh(`echo $PATH; echo $HOME`), want: DefaultPath + "\n/root\n"},
		{name: "subshell and background", args: sh(`(echo a) & wait; echo b`), want: "a\nb\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := run(t, Spec{Args: tc.args, Hostname: "box"}, tc.stdin)
			if r.stdout != tc.want || r.code != tc.code {
				t.Fatalf("got code %d stdout %q (stderr %q); want code %d stdout %q", r.code, r.stdout, r.stderr, tc.code, tc.want)
			}
			if !strings.Contains(r.stderr, tc.errHas) {
				t.Fatalf("stderr %q lacks %q", r.stderr, tc.errHas)
			}
		})
	}
}

func TestParseShellArgs(t *testing.T) {
	for _, tc := range []struct {
		args              []string
		cmd, script, arg0 string
		stdin             bool
		opts, params      []string
	}{
		{args: []string{"sh", "-c", "x", "a0", "p1"}, cmd: "x", arg0: "a0", params: []string{"p1"}},
		{args: []string{"sh", "-ec", "x"}, cmd: "x", arg0: "sh", opts: []string{"-e"}},
		{args: []string{"bash", "-o", "pipefail", "-c", "x"}, cmd: "x", arg0: "bash", opts: []string{"-o", "pipefail"}},
		{args: []string{"sh", "s.sh", "a"}, script: "s.sh", arg0: "s.sh", params: []string{"a"}},
		{args: []string{"sh"}, stdin: true, arg0: "sh"},
		{args: []string{"sh", "-s", "a"}, stdin: true, arg0: "sh", params: []string{"a"}},
	} {
		sa, err := parseShellArgs(tc.args)
		if err != nil {
			t.Fatalf("%v: %v", tc.args, err)
		}
		if sa.command != tc.cmd || sa.script != tc.script || sa.arg0 != tc.arg0 || sa.fromStdin != tc.stdin ||
			strings.Join(sa.opts, " ") != strings.Join(tc.opts, " ") || strings.Join(sa.params, " ") != strings.Join(tc.params, " ") {
			t.Errorf("%v: got %+v", tc.args, sa)
		}
	}
}

// TestStdinTypedLines feeds sh's stdin a line at a time, as a user of
// docker run -i types it: statements before an unfinished one on the same
// line run once, when it is finished.
func TestStdinTypedLines(t *testing.T) {
	stdin, w := io.Pipe()
	var out syncBuffer
	p, err := Start(context.Background(), Spec{Root: t.TempDir(), Args: []string{"sh"}}, Stdio{Stdin: stdin, Stdout: &out})
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range []string{"echo a; if true; then\n", "echo b\n", "fi\n"} {
		w.Write([]byte(line))
		time.Sleep(30 * time.Millisecond) // the shell reads each line on its own
	}
	w.Close()
	if code := waitCode(t, p); code != 0 || out.String() != "a\nb\n" {
		t.Fatalf("code %d output %q", code, out.String())
	}
}
