package sandbox

import (
	"context"
	"io"
	"slices"
	"testing"
)

// step types keys into the terminal and waits until the output, from the
// start of the session, is exactly out.
type step struct {
	keys    string
	out     string
	running string // before typing, wait until this command runs
}

func TestInteractiveShell(t *testing.T) {
	for _, tc := range []struct {
		name  string
		spec  Spec
		steps []step
		close bool   // the client closes stdin after the steps
		final string // when set, the whole output once the process ended
		code  int
	}{
		{name: "prompt echo and exit code", steps: []step{
			{out: "/ # "},
			{keys: "echo hi\r", out: "/ # echo hi\r\nhi\r\n/ # "},
			{keys: "exit 3\r", out: "/ # echo hi\r\nhi\r\n/ # exit 3\r\n"},
		}, code: 3},
		{name: "exit 4", steps: []step{{keys: "exit 4\r", out: "/ # exit 4\r\n"}}, code: 4},
		{name: "ctrl-d exits", steps: []step{
			{keys: "true\r", out: "/ # true\r\n/ # "},
			{keys: "\x04", out: "/ # true\r\n/ # "},
		}, code: 0},
		{name: "empty line prompts again", steps: []step{
			{keys: "\r", out: "/ # \r\n/ # "},
			{keys: "\r", out: "/ # \r\n/ # \r\n/ # "},
			{keys: "exit\r", out: "/ # \r\n/ # \r\n/ # exit\r\n"},
		}},
		{name: "backspace", steps: []step{
			{keys: "echo abx\x7fc\r", out: "/ # echo abx\b \bc\r\nabc\r\n/ # "},
			{keys: "exit\r", out: "/ # echo abx\b \bc\r\nabc\r\n/ # exit\r\n"},
		}},
		{name: "kill line and erase word", steps: []step{
			{keys: "ls\x15echo a bad\x17b\r", out: "/ # ls\b \b\b \becho a bad\b \b\b \b\b \bb\r\na b\r\n/ # "},
			{keys: "exit\r", out: "/ # ls\b \b\b \becho a bad\b \b\b \b\b \bb\r\na b\r\n/ # exit\r\n"},
		}},
		{name: "ctrl-c interrupts sleep", steps: []step{
			{keys: "sleep 10\r", out: "/ # sleep 10\r\n"},
			{keys: "\x03", running: "sleep", out: "/ # sleep 10\r\n^C\r\n/ # "},
			{keys: "echo $?\r", out: "/ # sleep 10\r\n^C\r\n/ # echo $?\r\n130\r\n/ # "},
			{keys: "exit\r", out: "/ # sleep 10\r\n^C\r\n/ # echo $?\r\n130\r\n/ # exit\r\n"},
		}},
		{name: "ctrl-backslash interrupts sleep", steps: []step{
			{keys: "sleep 10; echo not reached\r", out: "/ # sleep 10; echo not reached\r\n"},
			{keys: "\x1c", running: "sleep", out: "/ # sleep 10; echo not reached\r\n^\\\r\n/ # "},
			{keys: "\x04", out: "/ # sleep 10; echo not reached\r\n^\\\r\n/ # "},
		}, code: 131},
		{name: "ctrl-c drops a half-typed line", steps: []step{
			{keys: "echo no\x03", out: "/ # echo no^C\r\n/ # "},
			{keys: "if true\r", out: "/ # echo no^C\r\n/ # if true\r\n> "},
			{keys: "\x03", out: "/ # echo no^C\r\n/ # if true\r\n> ^C\r\n/ # "},
			{keys: "echo yes\r", out: "/ # echo no^C\r\n/ # if true\r\n> ^C\r\n/ # echo yes\r\nyes\r\n/ # "},
		}, close: true},
		{name: "here-doc shows PS2", steps: []step{
			{keys: "cat <<EOF\r", out: "/ # cat <<EOF\r\n> "},
			{keys: "a $((1+1))\r", out: "/ # cat <<EOF\r\n> a $((1+1))\r\n> "},
			{keys: "EOF\r", out: "/ # cat <<EOF\r\n> a $((1+1))\r\n> EOF\r\na 2\r\n/ # "},
		}, close: true},
		{name: "compound statement runs once", steps: []step{
			{keys: "echo a; if true; then\r", out: "/ # echo a; if true; then\r\n> "},
			{keys: "echo b; fi\r", out: "/ # echo a; if true; then\r\n> echo b; fi\r\na\r\nb\r\n/ # "},
		}, close: true},
		{name: "cat reads the terminal until ctrl-d", steps: []step{
			{keys: "cat\r", out: "/ # cat\r\n"},
			{keys: "hello\r", running: "cat", out: "/ # cat\r\nhello\r\nhello\r\n"},
			{keys: "\x04", out: "/ # cat\r\nhello\r\nhello\r\n/ # "},
			{keys: "echo $?\r", out: "/ # cat\r\nhello\r\nhello\r\n/ # echo $?\r\n0\r\n/ # "},
		}, close: true},
		{name: "read builtin with prompt", steps: []step{
			{keys: "read -p 'name? ' x; echo \"[$x]\"\r", out: "/ # read -p 'name? ' x; echo \"[$x]\"\r\nname? "},
			{keys: "bob\r", out: "/ # read -p 'name? ' x; echo \"[$x]\"\r\nname? bob\r\n[bob]\r\n/ # "},
		}, close: true},
		{name: "read -s does not echo", steps: []step{
			{keys: "read -rsp 'pw: ' x; echo \"[$x]\"\r", out: "/ # read -rsp 'pw: ' x; echo \"[$x]\"\r\npw: "},
			{keys: "pw\r", out: "/ # read -rsp 'pw: ' x; echo \"[$x]\"\r\npw: [pw]\r\n/ # "},
		}, close: true},
		{name: "read at end of input fails", steps: []step{
			{keys: "x=old; read x; echo \"$?[$x]\"\r", out: "/ # x=old; read x; echo \"$?[$x]\"\r\n"},
			{keys: "\x04", out: "/ # x=old; read x; echo \"$?[$x]\"\r\n1[]\r\n/ # "},
		}, close: true},
		{name: "home shows as tilde", steps: []step{
			{keys: "mkdir -p ~ && cd\r", out: "/ # mkdir -p ~ && cd\r\n~ # "},
		}, close: true},
		{name: "PS1 from the environment", spec: Spec{Env: []string{`PS1=\u@\h:\w\$ `}, Hostname: "box"},
			steps: []step{{out: "root@box:/# "}}, close: true},
		{name: "PS1 set in the shell", steps: []step{
			{keys: "PS1='$ '\r", out: "/ # PS1='$ '\r\n$ "},
		}, close: true},
		{name: "end of input runs the partial line", steps: []step{
			{keys: "echo part", out: "/ # echo part"},
		}, close: true, final: "/ # echo partpart\r\n/ # "},
		{name: "syntax error does not end the shell", steps: []step{
			{keys: "echo )\r", out: "/ # echo )\r\nsh: 1:6: a command can only contain words and redirects; encountered `)`\r\n/ # "},
			{keys: "exit 7\r", out: "/ # echo )\r\nsh: 1:6: a command can only contain words and redirects; encountered `)`\r\n/ # exit 7\r\n"},
		}, code: 7},
		{name: "not a shell: ctrl-c ends the process", spec: Spec{Args: []string{"cat"}}, steps: []step{
			{keys: "hi\r", out: "hi\r\nhi\r\n"},
			{keys: "\x03", out: "hi\r\nhi\r\n^C\r\n"},
		}, code: 130},
		{name: "sh -c is not interactive", spec: Spec{Args: []string{"sh", "-c", "read x; echo \"<$x>\""}}, steps: []step{
			{keys: "y\r", out: "y\r\n<y>\r\n"},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			spec := tc.spec
			spec.Root, spec.TTY = t.TempDir(), true
			if spec.Args == nil {
				spec.Args = []string{"sh"}
			}
			out := &syncBuffer{}
			stdin, w := io.Pipe()
			defer w.Close()
			p, err := Start(context.Background(), spec, Stdio{Stdin: stdin, Stdout: out})
			if err != nil {
				t.Fatal(err)
			}
			defer p.Signal(9)
			if tc.spec.Args == nil && tc.spec.Env == nil {
				// Keys typed before the prompt would be echoed before it.
				waitFor(t, func() bool { return out.String() == "/ # " }, out.String)
			}
			for _, s := range tc.steps {
				if s.running != "" {
					waitFor(t, func() bool { return runs(p, s.running) }, out.String)
				}
				if s.keys != "" {
					w.Write([]byte(s.keys))
				}
				waitFor(t, func() bool { return out.String() == s.out }, out.String)
			}
			if tc.close {
				w.Close()
			}
			if code := waitCode(t, p); code != tc.code {
				t.Fatalf("exit code %d, want %d; output %q", code, tc.code, out.String())
			}
			if tc.final != "" && out.String() != tc.final {
				t.Fatalf("output %q, want %q", out.String(), tc.final)
			}
		})
	}
}

// runs reports whether a command named name runs in p's container.
func runs(p *Process, name string) bool {
	return slices.ContainsFunc(ProcessesIn(p.root), func(info ProcessInfo) bool {
		return len(info.Args) > 0 && info.Args[0] == name
	})
}
