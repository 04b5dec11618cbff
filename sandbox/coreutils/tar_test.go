package coreutils_test

import (
	"regexp"
	"testing"
)

func TestTar(t *testing.T) {
	runCases(t, []caseT{
		{name: "create list", script: `tar -cf /a.tar sub fruit && tar -tf /a.tar`, want: "sub/\nsub/deep\nfruit\n"},
		{name: "old style letters", script: `tar cf /a.tar fruit && tar tf /a.tar`, want: "fruit\n"},
		{name: "create verbose", script: `tar -cvf /a.tar sub`, want: "sub/\nsub/deep\n"},
		{name: "gzip round trip keeps mode", script: `chmod 751 fruit && tar -czf /a.tgz fruit sub && mkdir /out && tar -xzf /a.tgz -C /out && stat -c '%n %a' /out/fruit && cat /out/sub/deep`,
			want: "/out/fruit 751\nNeedle here\nno match\n"},
		{name: "gzip detected without z", script: `tar -czf /a.tgz fruit && tar -tf /a.tgz`, want: "fruit\n"},
		{name: "extract verbose into cwd", script: `tar -cf /a.tar sub && mkdir /o && cd /o && tar -xvf /a.tar && ls sub`, want: "sub/\nsub/deep\ndeep\n"},
		{name: "stdin and stdout", script: `tar -cf - fruit | tar -tf -`, want: "fruit\n"},
		{name: "leading slash removed", script: `tar -cf /a.tar /data/csv 2>/dev/null && tar -tf /a.tar`, want: "data/csv\n"},
		{name: "C for create", script: `tar -C /data -cf /a.tar csv && tar -tf /a.tar`, want: "csv\n"},
		{name: "symlink kept", script: `ln -s fruit lnk && tar -cf /a.tar lnk && mkdir /o && tar -xf /a.tar -C /o && stat -c %F /o/lnk`, want: "symbolic link\n"},
		{name: "missing member", script: `tar -cf /a.tar nope`, code: 1},
		{name: "missing archive", script: `tar -xf /nope.tar`, code: 1},
		{name: "no mode", script: `tar -f /a.tar`, code: 1},
	})
}

func TestTarListVerbose(t *testing.T) {
	out, errOut, code := runLayout(t, false, `chmod 640 fruit && tar -cf /a.tar fruit sub && tar -tvf /a.tar`, "")
	re := regexp.MustCompile(`^-rw-r----- root/root +26 \d{4}-\d\d-\d\d \d\d:\d\d:\d\d fruit\n` +
		`drwxr-xr-x root/root +0 \d{4}-\d\d-\d\d \d\d:\d\d:\d\d sub/\n` +
		`-rw-r--r-- root/root +21 \d{4}-\d\d-\d\d \d\d:\d\d:\d\d sub/deep\n$`)
	if code != 0 || !re.MatchString(out) {
		t.Fatalf("code %d stdout %q stderr %q", code, out, errOut)
	}
	if got := len("-rw-r----- root/root        26 "); out[:got] != "-rw-r----- root/root        26 " {
		t.Fatalf("size column not busybox's %%9d: %q", out)
	}
}

func TestTimeout(t *testing.T) {
	runCases(t, []caseT{
		{name: "expires", script: `timeout 0.2 sleep 5; echo code=$?`, want: "code=143\n"},
		{name: "command status kept", script: `timeout 5 sh -c 'exit 3'; echo code=$?`, want: "code=3\n"},
		{name: "output passes", script: `timeout 5 echo hi`, want: "hi\n"},
		{name: "stops a shell loop", script: `timeout 0.2 sh -c 'while :; do sleep 0.05; done'; echo code=$?`, want: "code=143\n"},
		{name: "not found", script: `timeout 1 nosuchcmd 2>/dev/null; echo code=$?`, want: "code=127\n"},
		{name: "bad duration", script: `timeout x sleep 1`, code: 1},
		{name: "which finds builtin", script: `which tar timeout`, want: "/bin/tar\n/bin/timeout\n"},
	})
}
