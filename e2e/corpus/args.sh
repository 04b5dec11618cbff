## args-flag-after-operand
printf 'a\nb\n' > /tmp/args-aa; head /tmp/args-aa -n1
## args-flags-between-operands
printf 'x\n' > /tmp/args-ab; cat /tmp/args-ab -n /tmp/args-ab
## args-double-dash
mkdir -p /tmp/args-dd && cd /tmp/args-dd && echo x > ./-n && cat -- -n
## args-rm-rf-after-operand
mkdir -p /tmp/args-rr/s && rm /tmp/args-rr -rf; ls /tmp/args-rr 2>/dev/null; echo code=$?
## args-mkdir-p-after-operand
mkdir /tmp/args-mp/a/b -p && ls /tmp/args-mp/a
## args-grep-repeated-e
printf 'ban\nche\nx\n' | grep -e ban -e che
## args-grep-flag-after-file
printf 'a\nb\na\n' > /tmp/args-ga; grep a /tmp/args-ga -c
## args-tr-no-flag-after-sets
echo abbc | tr b x -s
## args-sort-valued-flag-after-file
printf 'b 2\na 3\nc 1\n' > /tmp/args-sv; sort /tmp/args-sv -k2
## args-chmod-flag-after-mode
mkdir -p /tmp/args-cm/d && touch /tmp/args-cm/d/f && chmod 700 -R /tmp/args-cm && stat -c %a /tmp/args-cm/d/f
## args-chmod-dash-mode
touch /tmp/args-cw && chmod -w /tmp/args-cw && stat -c %a /tmp/args-cw
## chown-recursive-flag-after-owner
mkdir -p /tmp/args-co/d && touch /tmp/args-co/d/f && chown 0:0 -R /tmp/args-co && stat -c %u:%g /tmp/args-co/d/f
## chown-names
touch /tmp/args-cn && chown root:root /tmp/args-cn && stat -c %U:%G /tmp/args-cn
## chgrp-numeric
touch /tmp/args-cg && chgrp 0 /tmp/args-cg && stat -c %g /tmp/args-cg
## chown-unknown-user
touch /tmp/args-cu; chown nosuchuser /tmp/args-cu 2>/dev/null; echo code=$?
## tail-follow-growing-file
echo a > /tmp/args-tl; (sleep 1.5; echo b >> /tmp/args-tl) & timeout 3 tail -f /tmp/args-tl; echo code=$?
## tail-follow-devnull-until-killed
timeout 1 tail -f /dev/null; echo code=$?
