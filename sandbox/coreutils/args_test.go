package coreutils_test

import (
	"os"
	"testing"
)

// The utilities read their command lines as busybox's getopt does:
// flags may follow operands, "--" ends flags, flags cluster. Each want
// is what busybox 1.35 prints for the same script.
func TestArgumentParsing(t *testing.T) {
	runCases(t, []caseT{
		{name: "flag after operand", script: `head fruit -n1`, want: "banana\n"},
		{name: "flags between operands", script: `cat csv -n csv`, want: "     1\tk1,v1,w1\n     2\tk2,v2,w2\n     3\tk1,v1,w1\n     4\tk2,v2,w2\n"},
		{name: "valued flag after operand", script: `cut csv -d, -f2`, want: "v1\nv2\n"},
		{name: "valued flag joined after operand", script: `sort table -k2`, want: "c 1 z\nb 2 x\na 3 y\n"},
		{name: "rm -rf after operand", script: `mkdir -p /x/y && rm /x -rf && ls / | grep -c '^x$'`, want: "0\n", code: 1},
		{name: "mkdir -p after operand", script: `mkdir /m/n -p && ls /m`, want: "n\n"},
		{name: "clustered flags", script: `sort -ru fruit`, want: "cherry\nbanana\napple\n"},
		{name: "clustered flags with value last", script: `printf 'x:3\ny:10\n' | sort -nrt: -k2`, want: "y:10\nx:3\n"},
		{name: "double dash makes a flag an operand", script: `echo x > ./-n; cat -- -n`, want: "x\n"},
		{name: "double dash after operands", script: `echo x > ./-n; cat fruit -- -n | tail -n1`, want: "x\n"},
		{name: "dash alone is stdin", script: `echo in | cat - csv | head -n1`, want: "in\n"},
		{name: "grep pattern after flags after file", script: `grep an fruit -c`, want: "1\n"},
		{name: "grep repeated -e", script: `grep -e ban -e che fruit`, want: "banana\ncherry\n"},
		{name: "grep -e with a dash pattern", script: `printf 'a-b\nc\n' | grep -e -b`, want: "a-b\n"},
		{name: "grep double dash pattern", script: `printf 'a-b\nc\n' | grep -- -b`, want: "a-b\n"},
		{name: "tr reads no flag after its sets", script: `echo 'abbc' | tr b x -s`, want: "axxc\n"},
		{name: "date flag after format", script: `date +%Y -u -d @0`, want: "1970\n"},
		{name: "timeout passes flags to its command", script: `timeout 5 ls -a sub`, want: ".\n..\ndeep\n"},
		{name: "seq negative step", script: `seq 3 -1 1`, want: "3\n2\n1\n"},
		{name: "chmod flag after mode", script: `chmod 700 -R sub && stat -c %a sub sub/deep`, want: "700\n700\n"},
		{name: "chmod flag after files", script: `chmod g-w sub -R && stat -c %a sub/deep`, want: "644\n"},
		{name: "chmod dash mode after flag", script: `chmod -R -w sub && stat -c %a sub/deep`, want: "444\n"},
		{name: "chmod double dash", script: `chmod -- 600 fruit && stat -c %a fruit`, want: "600\n"},
		{name: "stat flag after file", script: `stat fruit -c %s`, want: "26\n"},
		{name: "od flag after file", script: `printf 'AB' > /ab; od /ab -c`, want: "0000000   A   B\n0000002\n"},
		{name: "sed flag after file", script: `sed p fruit -n | head -n1`, want: "banana\n"},
		{name: "diff flag after files", script: `diff fruit csv -q; echo $?`, want: "Files fruit and csv differ\n1\n"},
		{name: "gzip flags after file", script: `gzip fruit -k && ls fruit*`, want: "fruit\nfruit.gz\n"},
		{name: "rmdir flag after operand", script: `mkdir -p /r/a/b && rmdir /r/a/b -p; ls /r 2>/dev/null; echo $?`, want: "1\n"},
		{name: "xargs leaves the command's flags to it", script: `echo csv | xargs cat -n`, want: "     1\tk1,v1,w1\n     2\tk2,v2,w2\n"},
	})
}

func TestChownChgrp(t *testing.T) {
	runCases(t, []caseT{
		// gitlab-ci-local's helper container runs exactly this.
		{name: "gitlab-ci-local helper line", script: `chown 0:0 -R sub && chmod g-w -R sub && stat -c '%u:%g %a' sub/deep`, want: "0:0 644\n"},
		{name: "names from /etc/passwd and /etc/group", script: `chown root:root fruit && stat -c %U:%G fruit`, want: "root:root\n"},
		{name: "user dot group", script: `chown root.root fruit && echo ok`, want: "ok\n"},
		{name: "user colon takes login group", script: `chown root: fruit && stat -c %u:%g fruit`, want: "0:0\n"},
		{name: "colon group only", script: `chown :root fruit && echo ok`, want: "ok\n"},
		{name: "chgrp", script: `chgrp -R 0 sub && stat -c %g sub/deep`, want: "0\n"},
		{name: "verbose", script: `chown -v 0 fruit`, want: "changed ownership of 'fruit' to 0:0\n"},
		{name: "changes only when changed", script: `chown -c 0:0 fruit`, want: ""},
		{name: "no dereference", script: `ln -s fruit l && chown -h 0:0 l && echo ok`, want: "ok\n"},
		{name: "recursive lists children first", script: `chown -Rv 0 sub`, want: "changed ownership of 'sub/deep' to 0:0\nchanged ownership of 'sub' to 0:0\n"},
		{name: "unknown user", script: `chown nosuch fruit`, code: 1},
		{name: "unknown group", script: `chgrp nosuch fruit`, code: 1},
		{name: "missing file", script: `chown 0 nope`, code: 1},
		{name: "quiet still reports a missing file", script: `chown -f 0 nope 2>&1`, want: "chown: nope: No such file or directory\n", code: 1},
		{name: "missing operand", script: `chown 0`, code: 1},
	})
}

// Owners other than root are the host's to give: the sandbox shows the
// host user as root, and another owner needs the host's permission.
func TestChownToAnotherUser(t *testing.T) {
	want, code := "65534:65534\n", 0
	if os.Geteuid() != 0 {
		want, code = "chown: fruit: Operation not permitted\n", 1
	}
	runCases(t, []caseT{
		{name: "user colon is the login group", script: `chown nobody: fruit 2>&1 && stat -c %u:%g fruit`, want: want, code: code},
	})
}
