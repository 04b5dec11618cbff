package coreutils_test

import "testing"

func TestChmodStat(t *testing.T) {
	runCases(t, []caseT{
		{name: "numeric", script: `chmod 750 fruit && stat -c '%a %A' fruit`, want: "750 -rwxr-x---\n"},
		{name: "symbolic add", script: `chmod u+x,g+w fruit && stat -c %a fruit`, want: "764\n"},
		{name: "symbolic remove all", script: `chmod a-r fruit && stat -c %a fruit`, want: "200\n"},
		{name: "symbolic set", script: `chmod go=r,u=rwx fruit && stat -c %A fruit`, want: "-rwxr--r--\n"},
		{name: "plus x no who", script: `chmod +x fruit && stat -c %a fruit`, want: "755\n"},
		{name: "minus w looks like flag", script: `chmod -w fruit && stat -c %a fruit`, want: "444\n"},
		{name: "copy class", script: `chmod g=u fruit && stat -c %a fruit`, want: "664\n"},
		{name: "setuid and sticky", script: `chmod 4755 fruit && chmod +t sub && stat -c '%a %A' fruit sub`, want: "4755 -rwsr-xr-x\n1755 drwxr-xr-t\n"},
		{name: "capital X", script: `chmod 644 sub fruit && chmod -R a+X sub && stat -c %a sub sub/deep fruit`, want: "755\n644\n644\n"},
		{name: "recursive", script: `chmod -R 700 sub && stat -c '%n %a' sub sub/deep`, want: "sub 700\nsub/deep 700\n"},
		{name: "missing file", script: `chmod 644 nope`, code: 1},
		{name: "bad mode", script: `chmod u+z fruit`, code: 1},
		{name: "stat formats", script: `stat -c '%n|%s|%F|%U|%G|%u' fruit sub /data/.hidden`, want: "fruit|26|regular file|root|root|0\nsub|4096|directory|root|root|0\n/data/.hidden|2|regular file|root|root|0\n"},
		{name: "stat empty and link", script: `touch e && ln -s e l && stat -c '%F' e l && stat -L -c %F l`, want: "regular empty file\nsymbolic link\nregular empty file\n"},
		{name: "stat mtime is now", script: `d=$(( $(date +%s) - $(stat -c %Y fruit) )); [ $d -ge 0 ] && [ $d -lt 30 ] && echo recent`, want: "recent\n"},
		{name: "stat missing", script: `stat -c %n nope`, code: 1},
		{name: "stat needs -c", script: `stat fruit`, code: 1},
	})
}
