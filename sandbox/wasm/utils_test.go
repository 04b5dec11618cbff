package wasm_test

import (
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"fmt"
	"strings"
	"testing"

	"github.com/sockerless/sockerless/sandbox"
)

const passwd = "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n"

// TestUtilities runs each WASI utility's common flags through the sandbox
// (the shell, PATH lookup and the registry) on a real root directory.
func TestUtilities(t *testing.T) {
	tree := map[string]string{
		"etc/passwd":  passwd,
		"w/lines":     "one\ntwo\nthree\nfour\n",
		"w/a.txt":     "a\nb\nc\n",
		"w/b.txt":     "a\nB\nc\nd\n",
		"w/link":      "->lines",
		"w/empty/":    "",
		"w/deep/x/y/": "",
		"w/csv":       "k1=v1\nk2=v2\n",
	}
	data := "one\ntwo\nthree\nfour\n"
	sha := fmt.Sprintf("%x", sha256.Sum256([]byte(data)))
	cases := []struct {
		name, script, stdin, want string
		code                      int
	}{
		{"sed print line", `sed -n '2p' lines`, "", "two\n", 0},
		{"sed subst stdin", `printf 'x\ny\n' | sed 's/x/z/'`, "", "z\ny\n", 0},
		{"sed global and numbered", `echo aaa | sed 's/a/X/2g'; echo aaa | sed 's/a/X/g'`, "", "aXX\nXXX\n", 0},
		{"sed p flag with -n", `sed -n 's/o/0/p' lines`, "", "0ne\ntw0\nf0ur\n", 0},
		{"sed groups BRE", `echo 'foo bar' | sed 's/\(foo\) \(bar\)/\2 \1/'`, "", "bar foo\n", 0},
		{"sed ERE and &", `echo 'k=v' | sed -E 's/([a-z])=([a-z])/[&] \2\1/'`, "", "[k=v] vk\n", 0},
		{"sed delete last and regex range", `sed '$d' lines; sed -n '/two/,/three/p' lines`, "", "one\ntwo\nthree\ntwo\nthree\n", 0},
		{"sed line range and negation", `sed -n '2,3!p' lines`, "", "one\nfour\n", 0},
		{"sed multiple -e and append insert", `sed -e '1i\
top' -e '$a end' -e 2,3d lines`, "", "top\none\nfour\nend\n", 0},
		{"sed join lines with labels", `sed ':a;N;$!ba;s/\n/,/g' lines`, "", "one,two,three,four\n", 0},
		{"sed in place", `sed -i 's/=.*//' csv && cat csv`, "", "k1\nk2\n", 0},
		{"sed quit with status", `sed 2q lines; sed '1q5' lines; echo $?`, "", "one\ntwo\none\n5\n", 0},
		{"sed bad script", `sed 's/x/'`, "", "", 1},
		{"sed missing file", `sed p nope`, "", "", 1},
		{"sha256sum file", `sha256sum lines`, "", sha + "  lines\n", 0},
		{"sha256sum stdin", `cat lines | sha256sum`, "", sha + "  -\n", 0},
		{"md5sum and sha1sum", `md5sum lines; sha1sum lines`, "",
			fmt.Sprintf("%x  lines\n%x  lines\n", md5.Sum([]byte(data)), sha1.Sum([]byte(data))), 0},
		{"sha256sum check", `sha256sum lines a.txt > sums && sha256sum -c sums && echo x >> a.txt; sha256sum -c sums`, "",
			"lines: OK\na.txt: OK\nlines: OK\na.txt: FAILED\n", 1},
		{"base64 round trip", `printf 'hello world' | base64; printf 'hello world' | base64 | base64 -d`, "", "aGVsbG8gd29ybGQ=\nhello world", 0},
		{"base64 wrap", `printf '%060d' 0 | base64 -w 20 | head -2`, "", "MDAwMDAwMDAwMDAwMDAw\nMDAwMDAwMDAwMDAwMDAw\n", 0},
		{"expr arithmetic and match", `expr 1 + 2 \* 3; expr abc : 'a\(.\)'; expr length hello`, "", "7\nb\n5\n", 0},
		{"expr false is status 1", `expr 3 = 4`, "", "0\n", 1},
		{"diff normal", `diff a.txt b.txt`, "", "2c2\n< b\n---\n> B\n3a4\n> d\n", 1},
		{"diff unified body", `diff -u a.txt b.txt | tail -n +3`, "", "@@ -1,3 +1,4 @@\n a\n-b\n+B\n c\n+d\n", 0},
		{"diff same", `diff a.txt a.txt`, "", "", 0},
		{"diff quiet", `diff -q a.txt b.txt`, "", "Files a.txt and b.txt differ\n", 1},
		{"cmp", `cmp a.txt b.txt; cmp -s a.txt a.txt && echo same`, "", "a.txt b.txt differ: char 3, line 2\nsame\n", 0},
		{"readlink and realpath", `readlink link; readlink -f link; realpath ../w/./link deep/x/..`, "", "lines\n/w/lines\n/w/lines\n/w/deep\n", 0},
		{"rmdir", `rmdir empty && test ! -e empty && rmdir -p deep/x/y && test ! -e deep && echo gone; rmdir lines`, "", "gone\n", 1},
		{"awk fields with -F", `awk -F: '{print $1}' /etc/passwd`, "", "root\nnobody\n", 0},
		{"awk sum and END", `printf '1\n2\n3\n' | awk '{s += $1} END {print s, NR, s/NR}'`, "", "6 3 2\n", 0},
		{"awk BEGIN printf and -v", `awk -v n=7 'BEGIN {printf "%03d|%-3s|%.2f\n", n, "a", 2/3}'`, "", "007|a  |0.67\n", 0},
		{"awk patterns and ranges", `awk 'NR==2,/three/ {print NR": "$0} /four/' lines`, "", "2: two\n3: three\nfour\n", 0},
		{"awk arrays functions and builtins", `awk -F= 'function up(s) { return toupper(s) }
{ v[$1] = $2 } END { n = split("k2 k1", ks, " "); for (i = 1; i <= n; i++) print up(ks[i]), v[ks[i]], length(v[ks[i]]) }' csv`, "", "K2 v2 2\nK1 v1 2\n", 0},
		{"awk field assignment and gsub", `echo 'a b c' | awk '{ $2 = "X"; gsub(/[ac]/, "_"); print; print NF }'`, "", "_ X _\n3\n", 0},
		{"awk getline from file and exit status", `awk 'BEGIN { while ((getline l < "lines") > 0) n++; print n; exit 3 }'`, "", "4\n", 3},
		{"awk syntax error", `awk '{ print ( }'`, "", "", 2},
		{"gzip round trip", `printf hello | gzip | gunzip; printf x | gzip -9 | zcat`, "", "hellox", 0},
		{"gzip files", `gzip -k a.txt && zcat a.txt.gz && gzip csv && ls csv* && gunzip csv.gz && cat csv`, "", "a\nb\nc\ncsv.gz\nk1=v1\nk2=v2\n", 0},
		{"gzip -t tests and leaves the file", `gzip csv && gzip -t csv.gz && ls csv*; cp lines bad.gz; gzip -t bad.gz 2>/dev/null || echo bad`, "", "csv.gz\nbad\n", 0},
		{"find names and types", `find . -name '*.txt' | sort; find . -maxdepth 1 -type d | sort`, "", "./a.txt\n./b.txt\n.\n./deep\n./empty\n", 0},
		{"find prune empty and not", `find . -path ./deep -prune -o -type d -empty -print; find deep ! -name y`, "", "./empty\ndeep\ndeep/x\n", 0},
		{"find exec", `find . -name a.txt -exec sed -n 1p {} \; ; find . -name '*.txt' -exec echo {} +`, "", "a\n./a.txt ./b.txt\n", 0},
		{"find exec as a test", `find . -maxdepth 1 -type f -exec grep -q B {} \; -print`, "", "./b.txt\n", 0},
		{"xargs", `printf 'a\nb\nc\n' | xargs echo; printf 'a b c d' | xargs -n 2 echo`, "", "a b c\na b\nc d\n", 0},
		{"xargs -I and -0", `printf 'x\ny\n' | xargs -I{} echo item-{}; printf 'a b\0c\0' | xargs -0 -n1 echo`, "", "item-x\nitem-y\na b\nc\n", 0},
		{"xargs from find with quotes", `find . -name '*.txt' | sort | xargs cat; echo "'q r' s" | xargs -n1 echo`, "", "a\nb\nc\na\nB\nc\nd\nq r\ns\n", 0},
		{"xargs statuses", `echo x | xargs false; echo $?; echo x | xargs nosuchcmd 2>/dev/null; echo $?; xargs -r echo no </dev/null`, "", "123\n127\n", 0},
		{"awk system", `awk 'BEGIN { print "before"; r = system("echo child; exit 3"); print "after", r }'`, "", "before\nchild\nafter 3\n", 0},
		{"utilities in a pipeline", `sed -n 's/:.*//p' /etc/passwd | sha256sum | cut -c1-8`, "",
			fmt.Sprintf("%x", sha256.Sum256([]byte("root\nnobody\n")))[:8] + "\n", 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			root := t.TempDir()
			files(t, root, tree)
			r := run(t, sandbox.Spec{Root: root, Dir: "/w", Args: []string{"sh", "-c", c.script}}, c.stdin)
			if r.stdout != c.want || r.code != c.code {
				t.Errorf("stdout %q code %d, want %q code %d; stderr %q", r.stdout, r.code, c.want, c.code, r.stderr)
			}
			if c.code == 0 && r.stderr != "" {
				t.Errorf("stderr %q", r.stderr)
			}
			if strings.Contains(r.stderr, "applet not found") {
				t.Errorf("utility missing from the module: %s", r.stderr)
			}
		})
	}
}
