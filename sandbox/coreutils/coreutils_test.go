package coreutils_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/sockerless/sockerless/sandbox"
)

// fixture is the image every case starts from.
var fixture = map[string]string{
	"etc/passwd":    "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/sbin/nologin\n",
	"etc/group":     "root:x:0:\nnobody:x:65534:\n",
	"data/fruit":    "banana\napple\ncherry\napple\n",
	"data/nums":     "10\n9\n100\n-1\n",
	"data/table":    "b 2 x\na 3 y\nc 1 z\n",
	"data/csv":      "k1,v1,w1\nk2,v2,w2\n",
	"data/sub/deep": "Needle here\nno match\n",
	"data/.hidden":  "h\n",
}

// layouts are the ways a case's container gets its files: copied into
// its root, or from a read-only image template under an empty root.
var layouts = []struct {
	name    string
	layered bool
}{{"plain", false}, {"layered", true}}

func runLayout(t *testing.T, layered bool, script, stdin string) (string, string, int) {
	t.Helper()
	root := t.TempDir()
	files, image := root, ""
	if layered {
		image = t.TempDir()
		files = image
		defer checkImage(t, image)
	}
	for name, content := range fixture {
		p := filepath.Join(files, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var out, errb bytes.Buffer
	st := sandbox.Stdio{Stdout: &out, Stderr: &errb}
	if stdin != "" {
		st.Stdin = strings.NewReader(stdin)
	}
	p, err := sandbox.Start(context.Background(), sandbox.Spec{Root: root, Image: image, Args: []string{"sh", "-c", script}, Hostname: "box1", Dir: "/data"}, st)
	if err != nil {
		t.Fatal(err)
	}
	select {
	case <-p.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("timeout")
	}
	return out.String(), errb.String(), p.Wait()
}

// checkImage fails t unless image holds exactly the fixture's files.
func checkImage(t *testing.T, image string) {
	t.Helper()
	n := 0
	filepath.WalkDir(image, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		n++
		name, _ := filepath.Rel(image, p)
		if b, err := os.ReadFile(p); err != nil || string(b) != fixture[name] {
			t.Errorf("image file %s changed: %q, %v", name, b, err)
		}
		return nil
	})
	if n != len(fixture) {
		t.Errorf("image holds %d files, want %d", n, len(fixture))
	}
}

func TestUtilities(t *testing.T) {
	for _, tc := range []struct {
		name, script, stdin string
		want                string // exact stdout, unless re is set
		re                  string // regexp stdout must match
		code                int
	}{
		{name: "cat files", script: "cat csv csv", want: "k1,v1,w1\nk2,v2,w2\nk1,v1,w1\nk2,v2,w2\n"},
		{name: "cat -n stdin", script: "cat -n", stdin: "a\nb\n", want: "     1\ta\n     2\tb\n"},
		{name: "cat missing", script: "cat nope", code: 1},
		{name: "ls", script: "ls", want: "csv\nfruit\nnums\nsub\ntable\n"},
		{name: "ls -a", script: "ls -a sub", want: ".\n..\ndeep\n"},
		{name: "ls -1 file", script: "ls -1 fruit /data/csv", want: "/data/csv\nfruit\n"},
		{name: "ls -l", script: "ls -l fruit", re: `^-rw-r--r-- +1 root +root +26 \w{3} [ \d]\d \d\d:\d\d fruit\n$`},
		{name: "ls -R", script: "mkdir -p /r/a; touch /r/a/f; ls -R /r", want: "/r:\na\n\n/r/a:\nf\n"},
		{name: "ls -p marks directories", script: "mkdir -p /p/d; touch /p/f; ls -p /p", want: "d/\nf\n"},
		{name: "ls -F classifies", script: "mkdir -p /c/d; touch /c/f /c/x; chmod +x /c/x; ln -s f /c/l; ls -F /c", want: "d/\nf\nl@\nx*\n"},
		{name: "ls missing", script: "ls nope", code: 1},
		{name: "mkdir -p and rm -r", script: "mkdir -p a/b/c && rm -r a && ls", want: "csv\nfruit\nnums\nsub\ntable\n"},
		{name: "mkdir existing fails", script: "mkdir sub", code: 1},
		{name: "rm -f missing ok", script: "rm -f nope && echo ok", want: "ok\n"},
		{name: "rm dir needs -r", script: "rm sub", code: 1},
		{name: "cp file", script: "cp fruit /f2 && cat /f2 | head -1", want: "banana\n"},
		{name: "cp -r into dir", script: "mkdir /d && cp -r sub /d && cat /d/sub/deep | head -1", want: "Needle here\n"},
		{name: "cp dir without -r", script: "cp sub /x", code: 1},
		{name: "mv", script: "mv fruit /moved && ls /moved && [ ! -e fruit ] && echo gone", want: "/moved\ngone\n"},
		{name: "touch and test", script: "touch new && [ -f new ] && echo yes", want: "yes\n"},
		{name: "mktemp file in /tmp", script: "mkdir -p /tmp && f=$(mktemp) && [ -f \"$f\" ] && stat -c %a \"$f\" && echo $f", re: `^600\n/tmp/tmp\.[A-Za-z0-9]{6}\n$`},
		{name: "mktemp -d with -p", script: "mkdir /base && d=$(mktemp -d -p /base) && [ -d \"$d\" ] && echo $d", re: `^/base/tmp\.[A-Za-z0-9]{6}\n$`},
		{name: "mktemp template in cwd", script: "f=$(mktemp job.XXXX) && [ -f \"$f\" ] && echo $f", re: `^job\.[A-Za-z0-9]{4}\n$`},
		{name: "mktemp -t uses TMPDIR", script: "mkdir /t2 && TMPDIR=/t2 mktemp -t x.XXXXXX", re: `^/t2/x\.[A-Za-z0-9]{6}\n$`},
		{name: "mktemp twice differs", script: "mkdir -p /tmp && a=$(mktemp) && b=$(mktemp) && [ \"$a\" != \"$b\" ] && echo differ", want: "differ\n"},
		{name: "mktemp bad template", script: "mktemp nox", code: 1},
		{name: "head -n", script: "head -n 2 fruit", want: "banana\napple\n"},
		{name: "head -c", script: "head -c 3 fruit", want: "ban"},
		{name: "head -N", script: "head -1 fruit", want: "banana\n"},
		{name: "tail -n", script: "tail -n 2 fruit", want: "cherry\napple\n"},
		{name: "tail -n +N", script: "tail -n +3 fruit", want: "cherry\napple\n"},
		{name: "tail -n counts a last line without newline", script: "printf 'a\\nb\\nc' | tail -n 2", want: "b\nc"},
		{name: "tail -n more than there are", script: "tail -n 9 fruit | wc -l", want: "4\n"},
		{name: "tail -n 0", script: "tail -n 0 fruit | wc -c", want: "0\n"},
		{name: "tail -n +N past the end", script: "printf 'a\\nb\\n' | tail -n +3 | wc -c", want: "0\n"},
		{name: "tail -n +N of empty lines", script: "printf '\\n\\n\\n' | tail -n +3 | wc -c", want: "1\n"},
		{name: "wc -l", script: "wc -l < fruit", want: "4\n"},
		{name: "wc -l file", script: "wc -l fruit", want: "4 fruit\n"},
		{name: "wc all", script: "echo hello world | wc", want: "        1         2        12\n"},
		{name: "wc -w -c", script: "printf 'a b\\n' | wc -w", want: "2\n"},
		{name: "grep", script: "grep an fruit", want: "banana\n"},
		{name: "grep -v -c", script: "grep -vc apple fruit", want: "2\n"},
		{name: "grep -i -n", script: "grep -in NEEDLE sub/deep", want: "1:Needle here\n"},
		{name: "grep -q no match", script: "grep -q zzz fruit", code: 1},
		{name: "grep -E", script: "grep -E '^(a|c)' fruit", want: "apple\ncherry\napple\n"},
		{name: "grep basic groups", script: `grep '\(ch\)e' fruit`, want: "cherry\n"},
		{name: "grep -F", script: "echo 'a.b' | grep -F .", want: "a.b\n"},
		{name: "grep -r", script: "grep -r Needle .", want: "./sub/deep:Needle here\n"},
		{name: "grep missing file", script: "grep x nope", code: 2},
		{name: "sort", script: "sort fruit", want: "apple\napple\nbanana\ncherry\n"},
		{name: "sort -r -u", script: "sort -ru fruit", want: "cherry\nbanana\napple\n"},
		{name: "sort -n", script: "sort -n nums", want: "-1\n9\n10\n100\n"},
		{name: "sort -k", script: "sort -k 2 table", want: "c 1 z\nb 2 x\na 3 y\n"},
		{name: "sort -t -k -n -r", script: "printf 'x:3\\ny:10\\n' | sort -t: -k2 -nr", want: "y:10\nx:3\n"},
		{name: "uniq -c", script: "sort fruit | uniq -c", want: "      2 apple\n      1 banana\n      1 cherry\n"},
		{name: "cut -d -f", script: "cut -d, -f2 csv", want: "v1\nv2\n"},
		{name: "cut -c", script: "cut -c 1-2 csv", want: "k1\nk2\n"},
		{name: "tr upper", script: "echo abc | tr a-z A-Z", want: "ABC\n"},
		{name: "tr -d", script: "echo a-b-c | tr -d -", want: "abc\n"},
		{name: "tr -s", script: "echo 'a   b' | tr -s ' '", want: "a b\n"},
		{name: "tee", script: "echo t | tee /t1 /t2 >/dev/null; cat /t1 /t2", want: "t\nt\n"},
		{name: "seq", script: "seq 2 2 6", want: "2\n4\n6\n"},
		{name: "yes | head", script: "yes | head -n 2", want: "y\ny\n"},
		{name: "basename dirname", script: "basename /a/b.txt .txt; dirname /a/b.txt; dirname x", want: "b\n/a\n.\n"},
		{name: "env", script: "env -i A=1 env", want: "A=1\n"},
		{name: "printenv", script: "X=5 printenv X", want: "5\n"},
		{name: "pwd binary", script: "/bin/pwd", want: "/data\n"},
		{name: "uname", script: "uname; uname -s -n; uname -m", re: `^Linux\nLinux box1\n\w+\n$`},
		{name: "uname -a", script: "uname -a", re: `^Linux box1 \S+ .+ \w+ Linux\n$`},
		{name: "hostname", script: "hostname", want: "box1\n"},
		{name: "id", script: "id; id -u; id -g; id -un", want: "uid=0(root) gid=0(root) groups=0(root)\n0\n0\nroot\n"},
		{name: "whoami", script: "whoami", want: "root\n"},
		{name: "date format", script: "date -u -d @0 '+%Y-%m-%d %H:%M:%S %s'", want: "1970-01-01 00:00:00 0\n"},
		{name: "date default", script: "date -u -d @86400", want: "Fri Jan  2 00:00:00 UTC 1970\n"},
		{name: "sleep", script: "sleep 0.01 && echo slept", want: "slept\n"},
		{name: "sleep bad", script: "sleep x", code: 1},
		{name: "true false", script: "true && ! false && echo ok", want: "ok\n"},
		{name: "echo binary", script: "/bin/echo -n a; /bin/echo b", want: "ab\n"},
		{name: "printf binary", script: "/usr/bin/printf '%s-%d\\n' a 1 b 2", want: "a-1\nb-2\n"},
		{name: "which", script: "which ls", want: "/bin/ls\n"},
		{name: "which missing", script: "which nosuch", code: 1},
		{name: "ln -s", script: "ln -s /data/fruit /l && head -1 /l", want: "banana\n"},
		{name: "kill -l", script: "kill -l | cut -d' ' -f1", want: "HUP\n"},
		{name: "kill -l lists Linux's 31 signals", script: "kill -l | wc -w; kill -l | cut -d' ' -f30", want: "31\nPWR\n"},
		{name: "kill -0 asks whether the process is there", script: "kill -0 $$ && echo there", want: "there\n"},
		{name: "kill with a bad signal name", script: "kill -NOPE $$", code: 1},
		{name: "egrep", script: "egrep 'ch|ba' fruit", want: "banana\ncherry\n"},
	} {
		for _, l := range layouts {
			t.Run(tc.name+"/"+l.name, func(t *testing.T) {
				out, errOut, code := runLayout(t, l.layered, tc.script, tc.stdin)
				if code != tc.code {
					t.Fatalf("code %d, want %d (stdout %q stderr %q)", code, tc.code, out, errOut)
				}
				if tc.code != 0 {
					return
				}
				if tc.re != "" {
					if !regexp.MustCompile(tc.re).MatchString(out) {
						t.Fatalf("stdout %q does not match %s", out, tc.re)
					}
				} else if out != tc.want {
					t.Fatalf("stdout %q, want %q (stderr %q)", out, tc.want, errOut)
				}
			})
		}
	}
}

func TestErrorMessages(t *testing.T) {
	for _, tc := range []struct{ script, want string }{
		{"cat nope", "cat: can't open 'nope': No such file or directory\n"},
		{"ls nope", "ls: nope: No such file or directory\n"},
		{"rm nope", "rm: can't remove 'nope': No such file or directory\n"},
		{"mkdir sub", "mkdir: can't create directory 'sub': File exists\n"},
	} {
		for _, l := range layouts {
			_, errOut, _ := runLayout(t, l.layered, tc.script, "")
			if errOut != tc.want {
				t.Errorf("%s (%s): stderr %q, want %q", tc.script, l.name, errOut, tc.want)
			}
		}
	}
}
