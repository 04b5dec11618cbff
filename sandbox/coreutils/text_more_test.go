package coreutils_test

import "testing"

// caseT is one script and the exact stdout and status busybox gives it.
type caseT struct {
	name, script, stdin, want string
	code                      int
}

func runCases(t *testing.T, cases []caseT) {
	t.Helper()
	for _, tc := range cases {
		for _, l := range layouts {
			t.Run(tc.name+"/"+l.name, func(t *testing.T) {
				out, errOut, code := runLayout(t, l.layered, tc.script, tc.stdin)
				if code != tc.code || out != tc.want {
					t.Fatalf("got %q code %d, want %q code %d (stderr %q)", out, code, tc.want, tc.code, errOut)
				}
			})
		}
	}
}

func TestPrintf(t *testing.T) {
	runCases(t, []caseT{
		{name: "integers", script: `printf '%d|%5d|%-5d|%05d|%+d\n' 42 42 42 42 42`, want: "42|   42|42   |00042|+42\n"},
		{name: "string precision", script: `printf '%s|%10s|%-10s|%.2s|%5.1s|\n' abc abc abc abc abc`, want: "abc|       abc|abc       |ab|    a|\n"},
		{name: "hex and octal", script: `printf '%x %X %o %#x %#o\n' 255 255 8 255 8`, want: "ff FF 10 0xff 010\n"},
		{name: "unsigned of negative", script: `printf '%u\n' -1`, want: "18446744073709551615\n"},
		{name: "floats", script: `printf '%.2f %e %g %g\n' 3.14159 1.5 3.14159265 100000`, want: "3.14 1.500000e+00 3.14159 100000\n"},
		{name: "char", script: `printf '%c%c\n' hello world`, want: "hw\n"},
		{name: "char code", script: `printf '%d\n' "'A"`, want: "65\n"},
		{name: "escapes", script: `printf 'tab\there\nnew\\line\101\x42\n'`, want: "tab\there\nnew\\lineAB\n"},
		{name: "percent b", script: `printf '%b|\n' 'a\tb' 'x\0101'`, want: "a\tb|\nxA|\n"},
		{name: "backslash c stops", script: `printf '%b' 'ab\cde' tail; echo`, want: "ab\n"},
		{name: "format reused", script: `printf '%s=%s\n' a 1 b 2 c`, want: "a=1\nb=2\nc=\n"},
		{name: "star width", script: `printf '[%*d]\n' 4 7`, want: "[   7]\n"},
		{name: "missing args", script: `printf '%s|%d|\n'`, want: "|0|\n"},
		{name: "percent", script: `printf '100%%\n'`, want: "100%\n"},
		{name: "bad number", script: `printf '%d\n' abc`, want: "0\n", code: 1},
		{name: "path printf same", script: `/bin/printf '%X %.1s\n' 171 xyz`, want: "AB x\n"},
	})
}

func TestTextUtilities(t *testing.T) {
	runCases(t, []caseT{
		{name: "grep -o", script: `echo 'abc123def456' | grep -o '[0-9]*'`, want: "123\n456\n"},
		{name: "grep -on", script: `printf 'x\na1b22\n' | grep -on '[0-9][0-9]*'`, want: "2:1\n2:22\n"},
		{name: "seq -w", script: `seq -w 8 10`, want: "08\n09\n10\n"},
		{name: "seq -w step", script: `seq -w 7 2 11`, want: "07\n09\n11\n"},
		{name: "rev", script: `printf 'abc\nxy' | rev`, want: "cba\nyx"},
		{name: "nl", script: `printf 'a\n\nb\n' | nl`, want: "     1\ta\n       \n     2\tb\n"},
		{name: "nl -ba -w -s", script: `printf 'a\n\n' | nl -ba -w2 -s:`, want: " 1:a\n 2:\n"},
		{name: "fold -w", script: `echo abcdefghij | fold -w 3`, want: "abc\ndef\nghi\nj\n"},
		{name: "fold -s", script: `echo 'ab cd ef' | fold -s -w 5`, want: "ab \ncd ef\n"},
		{name: "paste -s -d", script: `printf 'a\nb\nc\n' | paste -s -d,`, want: "a,b,c\n"},
		{name: "paste files", script: `paste /data/csv /data/nums`, want: "k1,v1,w1\t10\nk2,v2,w2\t9\n\t100\n\t-1\n"},
		{name: "paste delimiter list", script: `printf '1\n2\n3\n4\n' | paste -s -d ':,'`, want: "1:2,3:4\n"},
		{name: "od -c", script: `printf 'AB\n' | od -c`, want: "0000000   A   B  \\n\n0000003\n"},
		{name: "od default", script: `printf 'AB' | od`, want: "0000000 041101\n0000002\n"},
		{name: "od -An -tx1", script: `printf 'AB' | od -An -tx1`, want: " 41 42\n"},
		{name: "od -b", script: `printf 'A' | od -b`, want: "0000000 101\n0000001\n"},
		{name: "od repeats", script: `head -c 48 /dev/zero | od -x`, want: "0000000 0000 0000 0000 0000 0000 0000 0000 0000\n*\n0000060\n"},
		{name: "od -Ad -td2", script: `printf '\377\377' | od -Ad -td2`, want: "0000000     -1\n0000002\n"},
	})
}
