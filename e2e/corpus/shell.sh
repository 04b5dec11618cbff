## echo-plain
echo hello world
## echo-n
echo -n no newline; echo
## echo-multiple-spaces
echo a    b     c
## echo-quoted-spaces
echo "a    b     c"
## quote-single
echo 'single $HOME `x` "q"'
## quote-double-expand
X=world; echo "hello $X and ${X}s"
## quote-escape
echo "a\"b" 'c'\''d' e\ f
## quote-dollar-single
echo '$X' "\$X"
## var-default
unset U; echo "${U:-default}" "${U-dash}"
## var-assign-default
unset U; echo "${U:=set}"; echo "$U"
## var-alt
V=1; echo "${V:+alt}" "${W:+alt}"
## var-length
S=abcdef; echo ${#S}
## var-prefix-strip
P=/usr/local/bin/tool.tar.gz; echo ${P#*/} ${P##*/}
## var-suffix-strip
P=/usr/local/bin/tool.tar.gz; echo ${P%.*} ${P%%.*}
## var-unset-error
unset Z; (echo "${Z?missing}") 2>/dev/null; echo code=$?
## arith-basic
echo $((1 + 2 * 3)) $(( (1+2) * 3 )) $((7 / 2)) $((7 % 3))
## arith-vars
a=5; b=3; echo $((a * b)) $((a - b)) $((a << 2))
## arith-compare
echo $((3 > 2)) $((2 > 3)) $((3 == 3))
## arith-negative
echo $((-5 + 2)) $((10 / -3))
## arith-incr
i=0; i=$((i+1)); i=$((i+1)); echo $i
## cmd-subst
echo "today is $(echo Monday)"
## cmd-subst-backtick
echo `echo back` tick
## cmd-subst-nested
echo $(echo $(echo nested))
## cmd-subst-trailing-newlines
X=$(printf 'a\n\n\n'); echo "[$X]"
## if-else
if [ 1 -eq 2 ]; then echo yes; else echo no; fi
## if-elif
n=5; if [ $n -lt 3 ]; then echo small; elif [ $n -lt 10 ]; then echo medium; else echo large; fi
## and-or
true && echo and; false || echo or; false && echo never; true || echo never2
## negation
! false; echo $?; ! true; echo $?
## for-list
for x in a b c; do echo item $x; done
## for-glob-none
cd /tmp && for f in nomatch-*.zzz; do echo "$f"; done
## while-counter
i=0; while [ $i -lt 5 ]; do echo $i; i=$((i+1)); done
## until-loop
i=3; until [ $i -eq 0 ]; do echo $i; i=$((i-1)); done
## break-continue
for i in 1 2 3 4 5 6; do [ $i -eq 2 ] && continue; [ $i -eq 5 ] && break; echo $i; done
## nested-loops
for a in 1 2; do for b in x y; do echo $a$b; done; done
## case-basic
for w in apple banana cherry; do case $w in a*) echo A;; b*|c*) echo BC;; esac; done
## case-default
case zzz in a) echo a;; *) echo default;; esac
## case-charclass
for c in 1 x Z; do case $c in [0-9]) echo digit;; [a-z]) echo lower;; *) echo other;; esac; done
## function-basic
greet() { echo "hi $1"; }; greet there
## function-return
f() { return 3; }; f; echo $?
## function-args
f() { echo $# "$1" "$2"; shift; echo "$@"; }; f one two three
## function-local-scope
x=global; f() { x=changed; }; f; echo $x
## positional-set
set -- a b c; echo $# $2; shift 2; echo $1
## positional-quoted-at
set -- "a b" c; for x in "$@"; do echo "[$x]"; done
## positional-star
set -- a b c; IFS=,; echo "$*"
## exit-code-subshell
(exit 7); echo $?
## exit-code-pipeline
false | true; echo $?
## exit-code-last
sh -c 'exit 42'; echo $?
## exit-status-script
echo before; exit 3
## exit-status-false
false
## subshell-isolation
X=1; (X=2; echo in $X); echo out $X
## brace-group
{ echo one; echo two; } | wc -l
## semicolons
echo a; echo b; echo c
## heredoc-basic
cat <<EOT
line one
line two
EOT
## heredoc-expand
N=name; cat <<EOT
hello $N $((1+1))
EOT
## heredoc-quoted
cat <<'EOT'
no $expansion here `x`
EOT
## heredoc-strip-tabs
cat <<-EOT
	indented
		twice
	EOT
## heredoc-to-pipe
cat <<EOT | tr a-z A-Z
upper me
EOT
## herestring-like
printf '%s\n' "one" "two" | while read l; do echo "got $l"; done
## redirect-file
echo data > /tmp/r1; cat /tmp/r1
## redirect-append
echo a > /tmp/r2; echo b >> /tmp/r2; cat /tmp/r2
## redirect-stderr
ls /nonexistent-dir 2>/dev/null; echo code=$?
## redirect-stderr-to-stdout
sh -c 'echo err >&2' 2>&1
## redirect-input
printf 'x\ny\n' > /tmp/r3; wc -l < /tmp/r3
## redirect-devnull
echo hidden > /dev/null; echo shown
## read-fields
echo "a b c" | { read x y z; echo "$z $y $x"; }
## read-ifs
echo "a:b:c" | { IFS=: read x y z; echo "$y"; }
## read-loop-file
printf '1\n2\n3\n' > /tmp/rl; while read n; do echo $((n*n)); done < /tmp/rl
## ifs-split
X="a,b,,c"; IFS=,; for p in $X; do echo "[$p]"; done
## glob-star
mkdir -p /tmp/g1 && cd /tmp/g1 && touch b.txt a.txt c.log && echo *.txt
## glob-question
mkdir -p /tmp/g2 && cd /tmp/g2 && touch a1 a2 a10 && echo a?
## glob-bracket
mkdir -p /tmp/g3 && cd /tmp/g3 && touch x1 x2 x3 y1 && echo x[12]
## glob-quoted-not-expanded
mkdir -p /tmp/g4 && cd /tmp/g4 && touch f1 && echo "*" '*'
## trap-exit
trap 'echo bye' EXIT; echo hi
## trap-exit-code
sh -c 'trap "echo cleanup" EXIT; exit 5'; echo code=$?
## trap-int-ignored-list
trap '' INT; echo ignored
## set-e
sh -c 'set -e; echo one; false; echo two'; echo code=$?
## set-u
sh -c 'set -u; echo $NOPE' 2>/dev/null; echo code=$?
## set-x-to-stderr
sh -c 'set -x; echo traced' 2>/dev/null
## eval-basic
cmd='echo evaluated'; eval $cmd
## eval-vars
name=x; eval "$name=42"; echo $x
## command-not-found
nosuchcommand-xyz 2>/dev/null; echo $?
## type-builtin
command -v echo >/dev/null && echo found
## export-child
export EXPORTED=yes; sh -c 'echo $EXPORTED'
## env-prefix
FOO=bar sh -c 'echo $FOO'; echo "[${FOO}]"
## pwd-cd
cd /tmp && pwd; cd / && pwd
## cd-dash-back
cd /tmp; cd /; cd - >/dev/null; pwd
## pipeline-three
echo "c b a" | tr ' ' '\n' | sort
## long-pipeline
seq 1 20 | grep 1 | sort -r | head -3
## true-false-codes
true; echo $?; false; echo $?
## special-dollar-hash
sh -c 'echo $#' a b c
## dollar-zero-arg
sh -c 'echo $1 $2' zero one two
## printf-reuse-format
printf '%s=%s\n' a 1 b 2 c 3
## test-string-empty
[ -z "" ] && echo empty; [ -n "x" ] && echo nonempty
