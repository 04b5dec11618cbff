## chmod-numeric-stat
touch /tmp/m1 && chmod 750 /tmp/m1 && stat -c '%a %A %F' /tmp/m1
## chmod-symbolic
touch /tmp/m2 && chmod 644 /tmp/m2 && chmod u+x,go-r /tmp/m2 && stat -c %a /tmp/m2
## chmod-plus-x
touch /tmp/m3 && chmod 600 /tmp/m3 && chmod +x /tmp/m3 && stat -c %A /tmp/m3
## chmod-recursive
mkdir -p /tmp/mr/a && touch /tmp/mr/a/f && chmod -R 700 /tmp/mr && stat -c '%n %a' /tmp/mr /tmp/mr/a /tmp/mr/a/f
## chmod-missing
chmod 644 /tmp/nope 2>/dev/null; echo code=$?
## stat-size-name
printf 'hello' > /tmp/s1 && stat -c '%n %s %U %G %u' /tmp/s1
## stat-types
mkdir -p /tmp/sd && touch /tmp/se && ln -s /tmp/se /tmp/sl && stat -c '%F' /tmp/sd /tmp/se /tmp/sl
## tar-create-list
mkdir -p /tmp/t/d && echo x > /tmp/t/d/f && cd /tmp/t && tar -cf /tmp/a.tar d && tar -tf /tmp/a.tar
## tar-gzip-extract
mkdir -p /tmp/tz && echo data > /tmp/tz/f && chmod 751 /tmp/tz/f && tar -czf /tmp/tz.tgz -C /tmp tz && mkdir /tmp/out && tar -xzf /tmp/tz.tgz -C /tmp/out && cat /tmp/out/tz/f && stat -c %a /tmp/out/tz/f
## tar-verbose-columns
mkdir -p /tmp/tv && printf 'abc' > /tmp/tv/f && chmod 640 /tmp/tv/f && tar -cf /tmp/tv.tar -C /tmp/tv f && tar -tvf /tmp/tv.tar | cut -c1-31
## tar-stdout-pipe
mkdir -p /tmp/tp && echo p > /tmp/tp/f && tar -cf - -C /tmp/tp f | tar -tf -
## timeout-expires
timeout 1 sleep 5; echo code=$?
## timeout-passes-status
timeout 5 sh -c 'exit 3'; echo code=$?
## which-found
which sh
## which-missing
which nosuchcmd; echo code=$?
## printf-b-u-g-e
printf '%b|%u|%g|%e|%5.1s|\n' 'a\tb' -1 3.14159265 1.5 xyz
## printf-bad-number
printf '%d\n' abc 2>/dev/null; echo code=$?
## printf-char-code
printf '%d %x\n' "'A" "'a"
## printf-star-width
printf '[%*d]\n' 4 7
## od-hex-repeat
head -c 48 /dev/zero | od -x
## od-an-tx1
printf 'AB\n' | od -An -tx1
## nl-all-width
printf 'a\n\nb\n' | nl -ba -w2 -s:
## nl-blank-lines
printf 'a\n\nb\n' | nl
## fold-spaces
echo 'ab cd ef gh' | fold -s -w 5
## paste-files
printf '1\n2\n' > /tmp/p1; printf 'a\nb\n' > /tmp/p2; paste /tmp/p1 /tmp/p2 /tmp/p1
## grep-only-matching-numbered
printf 'x\na1b22\n' | grep -on '[0-9][0-9]*'
## seq-width-step
seq -w 7 2 11
## rev-no-newline
printf 'abc\nxy' | rev
