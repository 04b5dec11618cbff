package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// These run the utilities natively, fast, for their text handling; the
// wasm package's tests run them as WASI modules in the sandbox.
func TestUtilitiesNative(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in")
	if err := os.WriteFile(in, []byte("alpha 1\nbeta 2\ngamma 3\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		args  []string
		stdin string
		want  string
		code  int
	}{
		{[]string{"sed", "-n", "/beta/,$p", in}, "", "beta 2\ngamma 3\n", 0},
		{[]string{"sed", "s/[0-9]/<&>/;2d", in}, "", "alpha <1>\ngamma <3>\n", 0},
		{[]string{"sed", "-E", `s/^(\w+) ([0-9])$/\2=\1/`, in}, "", "1=alpha\n2=beta\n3=gamma\n", 0},
		{[]string{"sed", `s/a\{2,\}/X/g;s/a*b/Y/`}, "baaac\n", "YXc\n", 0},
		{[]string{"sed", "-n", "$="}, "a\nb\nc\n", "3\n", 0},
		{[]string{"sed", "1!G;h;$!d"}, "1\n2\n3\n", "3\n2\n1\n", 0},
		{[]string{"sed", "/^$/d;s/ *$//"}, "a  \n\nb\n", "a\nb\n", 0},
		{[]string{"sed", "s|/usr|/opt|"}, "/usr/bin\n", "/opt/bin\n", 0},
		{[]string{"sed", "y/abc/xyz/"}, "aabbcc\n", "xxyyzz\n", 0},
		{[]string{"sed", "2c\\\nnew"}, "a\nb\nc\n", "a\nnew\nc\n", 0},
		{[]string{"sed", "s/x/y/"}, "no newline x", "no newline y", 0},
		{[]string{"sed", "-n", "/a/{s/a/A/;p}"}, "a\nb\na\n", "A\nA\n", 0},
		{[]string{"sed", "s/a/b/;bend;s/b/c/;:end"}, "a\n", "b\n", 0},
		{[]string{"sed", "k"}, "", "", 1},
		{[]string{"awk", "{ print $NF }", in}, "", "1\n2\n3\n", 0},
		{[]string{"awk", "$2 >= 2 { n++ } END { print n+0 }", in}, "", "2\n", 0},
		{[]string{"awk", `BEGIN { OFS="-" } { $1 = $1; print }`}, "a b  c\n", "a-b-c\n", 0},
		{[]string{"awk", "-F", "\t", "{ print $2 }"}, "a b\tc d\n", "c d\n", 0},
		{[]string{"awk", `{ printf "%s:%d\n", $1, $2 * 10 }`, in}, "", "alpha:10\nbeta:20\ngamma:30\n", 0},
		{[]string{"awk", `NR % 2 == 1`, in}, "", "alpha 1\ngamma 3\n", 0},
		{[]string{"awk", `{ c[$1]++ } END { for (k in c) print k, c[k] }`}, "x\ny\nx\n", "x 2\ny 1\n", 0},
		{[]string{"awk", `BEGIN { x = "3x"; print x + 1, (x > 10), 1e3, 0.1 + 0.2, 100000 * 100000 }`}, "", "4 1 1000 0.3 10000000000\n", 0},
		{[]string{"awk", `{ $0 = tolower($0); print $1 }`}, "ABC DEF\n", "abc\n", 0},
		{[]string{"awk", `BEGIN { for (i = 0; i < 3; i++) { if (i == 1) continue; s = s i }; print s }`}, "", "02\n", 0},
		{[]string{"awk", `BEGIN { i = 5; do { i-- } while (i > 2); print i }`}, "", "2\n", 0},
		{[]string{"awk", `{ print NR ": " $0 > "/dev/stderr" }`}, "a\n", "", 0},
		{[]string{"awk", `END { print $0, NF }`}, "a b\nc d e\n", "c d e 3\n", 0},
		{[]string{"awk", `length > 2`}, "ab\nabc\n", "abc\n", 0},
		{[]string{"awk", `/^#/ { next } { print }`}, "#c\nx\n", "x\n", 0},
		{[]string{"awk", `BEGIN { exit } END { print "end" }`}, "", "end\n", 0},
		{[]string{"awk", `BEGIN { printf "%5s|%-5d|%e\n", "ab", 42, 12345.678 }`}, "", "   ab|42   |1.234568e+04\n", 0},
		{[]string{"awk", `BEGIN { s = sprintf("%c%c", 72, "i"); print s }`}, "", "Hi\n", 0},
		{[]string{"awk", "-v", `s=a\tb`, `BEGIN { print s }`}, "", "a\tb\n", 0},
		{[]string{"awk", `{ print v }`, "v=1", "-"}, "x\n", "1\n", 0},
		{[]string{"awk", `BEGIN { print substr("abcdef", 2, 3) index("abc", "c") }`}, "", "bcd3\n", 0},
		{[]string{"expr", "10", "/", "3", "+", "1"}, "", "4\n", 0},
		{[]string{"expr", "1", "/", "0"}, "", "", 2},
		{[]string{"expr", "a", "<", "b", "&", "0"}, "", "0\n", 1},
		{[]string{"base64", "-d"}, "aGk=\n", "hi", 0},
		{[]string{"diff", "-U", "0", in, "-"}, "alpha 1\ngamma 3\n", "", 1},
	}
	for _, c := range cases {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			var out, errb bytes.Buffer
			code := utilities[c.args[0]](c.args, strings.NewReader(c.stdin), &out, &errb)
			got := out.String()
			if c.args[0] == "diff" {
				got = ""
			}
			if got != c.want || code != c.code {
				t.Errorf("got %q code %d, want %q code %d; stderr %q", out.String(), code, c.want, c.code, errb.String())
			}
		})
	}
}
