## printf-formats
printf '%d|%5d|%-5d|%05d\n' 42 42 42 42
## printf-strings
printf '%s|%10s|%-10s|%.2s\n' abc abc abc abc
## printf-hex-octal
printf '%x %X %o\n' 255 255 8
## printf-escapes
printf 'tab\there\nnew\\line\n'
## printf-char
printf '%c%c\n' hello world
## printf-percent
printf '100%%\n'
## cat-number
printf 'a\nb\n' | cat -n
## cat-concat
echo one > /tmp/c1; echo two > /tmp/c2; cat /tmp/c1 /tmp/c2
## cat-stdin-dash
echo mid | cat /tmp/nonexist-c 2>/dev/null - ; echo code=$?
## cat-missing
cat /nonexistent-file 2>/dev/null; echo code=$?
## grep-basic
printf 'apple\nbanana\ncherry\n' | grep an
## grep-invert
printf 'apple\nbanana\ncherry\n' | grep -v an
## grep-count
printf 'a\nb\na\n' | grep -c a
## grep-ignore-case
printf 'Foo\nfoo\nbar\n' | grep -i FOO
## grep-line-number
printf 'x\ny\nx\n' | grep -n x
## grep-no-match-code
echo abc | grep zzz; echo code=$?
## grep-quiet
echo abc | grep -q b && echo matched
## grep-regex
printf 'ab12\ncd\n34ef\n' | grep '[0-9][0-9]'
## grep-extended
printf 'cat\ndog\nbird\n' | grep -E 'cat|bird'
## grep-fixed
printf 'a.b\naxb\n' | grep -F 'a.b'
## grep-word
printf 'foo bar\nfoobar\n' | grep -w foo
## grep-only-matching
echo 'abc123def456' | grep -o '[0-9]*'
## grep-files-with-matches
mkdir -p /tmp/gl && echo hit > /tmp/gl/a && echo miss > /tmp/gl/b && grep -l hit /tmp/gl/a /tmp/gl/b
## grep-anchors
printf 'start end\nend start\n' | grep '^start'
## sed-substitute
echo 'hello world' | sed 's/world/there/'
## sed-global
echo 'aaa' | sed 's/a/b/g'
## sed-delete
printf '1\n2\n3\n' | sed '2d'
## sed-print-n
printf '1\n2\n3\n' | sed -n '2p'
## sed-range
seq 1 10 | sed -n '3,5p'
## sed-multiple
echo abc | sed -e 's/a/x/' -e 's/c/z/'
## sed-regex-groups
echo 'john smith' | sed 's/\(.*\) \(.*\)/\2, \1/'
## sed-extended
echo 'a1b2' | sed -E 's/[0-9]+/#/g'
## sed-address-regex
printf 'keep\ndrop me\nkeep\n' | sed '/drop/d'
## sed-append-insert
printf 'a\nb\n' | sed '1i\
top'
## sed-last-line
seq 1 5 | sed -n '$p'
## awk-print-field
echo 'a b c' | awk '{print $2}'
## awk-separator
echo 'a:b:c' | awk -F: '{print $3, $1}'
## awk-sum
seq 1 10 | awk '{s += $1} END {print s}'
## awk-nr-nf
printf 'a b\nc d e\n' | awk '{print NR, NF}'
## awk-condition
seq 1 10 | awk '$1 % 3 == 0'
## awk-printf
echo '3.14159' | awk '{printf "%.2f\n", $1}'
## awk-begin-vars
awk -v x=5 'BEGIN {print x * 2}'
## awk-arrays
printf 'a\nb\na\nc\na\n' | awk '{n[$1]++} END {print n["a"], n["b"], n["c"]}'
## awk-string-funcs
echo 'Hello World' | awk '{print length($0), toupper($1), substr($2, 2, 3)}'
## awk-ofs
echo 'a b c' | awk 'BEGIN{OFS="-"} {$1=$1; print}'
## sort-basic
printf 'c\na\nb\n' | sort
## sort-reverse
printf 'c\na\nb\n' | sort -r
## sort-numeric
printf '10\n9\n100\n1\n' | sort -n
## sort-unique
printf 'b\na\nb\na\n' | sort -u
## sort-key
printf 'x 3\ny 1\nz 2\n' | sort -k2
## sort-key-numeric-sep
printf 'a,10\nb,2\nc,33\n' | sort -t, -k2 -n
## sort-stable-fold
printf 'b\nA\na\nB\n' | sort -f
## uniq-basic
printf 'a\na\nb\na\n' | uniq
## uniq-count
printf 'a\na\nb\n' | uniq -c
## uniq-dups
printf 'a\na\nb\nc\nc\n' | uniq -d
## uniq-unique
printf 'a\na\nb\nc\nc\n' | uniq -u
## cut-fields
echo 'a:b:c:d' | cut -d: -f2,4
## cut-range
echo 'a:b:c:d' | cut -d: -f2-
## cut-chars
echo 'abcdef' | cut -c2-4
## tr-upper
echo hello | tr a-z A-Z
## tr-delete
echo 'h-e-l-l-o' | tr -d -
## tr-squeeze
echo 'aaabbbccc' | tr -s a-c
## tr-newlines
echo 'a b c' | tr ' ' '\n'
## tr-complement
echo 'abc123' | tr -cd '0-9'; echo
## head-n
seq 1 10 | head -n 3
## head-c
echo abcdef | head -c 3; echo
## tail-n
seq 1 10 | tail -n 2
## tail-plus
seq 1 5 | tail -n +3
## wc-all
printf 'one two\nthree\n' | wc
## wc-lines-words-chars
printf 'one two\nthree\n' > /tmp/wc1; wc -l < /tmp/wc1; wc -w < /tmp/wc1; wc -c < /tmp/wc1
## wc-file
printf 'a\nb\n' > /tmp/wc2; wc -l /tmp/wc2
## xargs-basic
printf 'a\nb\nc\n' | xargs echo
## xargs-n
printf '1 2 3 4\n' | xargs -n 2 echo
## xargs-replace
printf 'x\ny\n' | xargs -I{} echo 'item {}'
## seq-basic
seq 3
## seq-range-step
seq 2 3 11
## seq-separator
seq -s, 1 5
## seq-width
seq -w 8 10
## expr-arith
expr 3 + 4; expr 10 / 3; expr 5 \* 6
## expr-string
expr length hello; expr substr hello 2 3
## expr-match
expr 'abc123' : '[a-z]*'
## expr-compare-code
expr 1 = 2; echo code=$?
## basename-basic
basename /usr/local/bin/tool
## basename-suffix
basename /tmp/file.txt .txt
## dirname-basic
dirname /usr/local/bin/tool; dirname file; dirname /
## test-numeric
[ 5 -gt 3 ] && echo gt; [ 3 -ge 3 ] && echo ge; [ 2 -ne 2 ] || echo eq
## test-string-compare
[ abc = abc ] && echo same; [ abc != abd ] && echo differ
## test-files
touch /tmp/tf; mkdir -p /tmp/td; [ -f /tmp/tf ] && echo file; [ -d /tmp/td ] && echo dir; [ -e /tmp/none ] || echo missing
## test-logic
[ 1 -eq 1 -a 2 -eq 2 ] && echo both; [ 1 -eq 2 -o 2 -eq 2 ] && echo either
## test-bracket-builtin
test -n abc && echo nonempty
## find-name
mkdir -p /tmp/fd/sub && touch /tmp/fd/a.txt /tmp/fd/sub/b.txt /tmp/fd/c.log && find /tmp/fd -name '*.txt' | sort
## find-type
mkdir -p /tmp/ft/d1/d2 && touch /tmp/ft/f && find /tmp/ft -type d | sort
## find-maxdepth
mkdir -p /tmp/fm/a/b && touch /tmp/fm/x /tmp/fm/a/y /tmp/fm/a/b/z && find /tmp/fm -maxdepth 1 | sort
## diff-same
echo x > /tmp/d1; echo x > /tmp/d2; diff /tmp/d1 /tmp/d2; echo code=$?
## diff-different-code
echo x > /tmp/d3; echo y > /tmp/d4; diff /tmp/d3 /tmp/d4 >/dev/null; echo code=$?
## diff-unified-body
printf 'a\nb\nc\n' > /tmp/d5; printf 'a\nB\nc\n' > /tmp/d6; diff -u /tmp/d5 /tmp/d6 | tail -n 4
## base64-encode
echo -n 'hello sockerless' | base64
## base64-decode
echo 'aGVsbG8gd29ybGQ=' | base64 -d; echo
## sha256sum-stdin
echo -n abc | sha256sum
## sha256sum-file
echo content > /tmp/sh1; cd /tmp && sha256sum sh1
## md5sum-stdin
echo -n abc | md5sum
## ls-sorted
mkdir -p /tmp/ls1 && cd /tmp/ls1 && touch c a b && ls
## ls-one-per-line
mkdir -p /tmp/ls2 && cd /tmp/ls2 && touch z y && ls -1
## mkdir-p-rm-r
mkdir -p /tmp/mk/a/b/c && rm -r /tmp/mk && [ ! -e /tmp/mk ] && echo gone
## cp-mv
echo v > /tmp/cp1; cp /tmp/cp1 /tmp/cp2; mv /tmp/cp2 /tmp/cp3; cat /tmp/cp3; [ -e /tmp/cp2 ] || echo moved
## rev-lines
echo abc | rev
## tee-file
echo teed | tee /tmp/tee1; cat /tmp/tee1
## yes-head
yes | head -n 3
## nl-basic
printf 'a\nb\n' | nl
## fold-width
echo abcdefghij | fold -w 3
## paste-serial
printf 'a\nb\nc\n' | paste -s -d,
## comm-basic
printf 'a\nb\nc\n' > /tmp/cm1; printf 'b\nc\nd\n' > /tmp/cm2; comm -12 /tmp/cm1 /tmp/cm2
## od-bytes
printf 'AB' | od -c | head -n 1
## env-grep
env | grep -c '^PATH='
## sleep-zero
sleep 0; echo slept
## uname-s
uname -s
## id-u
id -u
## whoami
whoami
