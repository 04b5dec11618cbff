package coreutils_test

import "testing"

// The sandbox's rsync copies as rsync 3.2 does (each want is what it
// prints for the same script), for the command lines CI helpers run:
// gitlab-ci-local's artifact export (a --files-from list of globbed
// paths, -R, an exclude) and its cache export (-Ra of paths).
func TestRsync(t *testing.T) {
	runCases(t, []caseT{
		{name: "contents of a directory", script: `rsync -a sub/ /out && find /out | sort`, want: "/out\n/out/deep\n"},
		{name: "the directory itself", script: `rsync -a sub /out && find /out | sort`, want: "/out\n/out/sub\n/out/sub/deep\n"},
		{name: "dot source is contents", script: `cd sub && rsync -a . /out && find /out | sort`, want: "/out\n/out/deep\n"},
		{name: "file to a new name", script: `rsync fruit /f2 && cmp fruit /f2 && echo same`, want: "same\n"},
		{name: "relative keeps the path", script: `mkdir -p /out && rsync -Ra ./sub/ fruit /out/. && find /out | sort`,
			want: "/out\n/out/fruit\n/out/sub\n/out/sub/deep\n"},
		{name: "relative from a dot marker", script: `rsync -R /data/./sub/deep /out && find /out | sort`, want: "/out\n/out/sub\n/out/sub/deep\n"},
		{name: "without -r a directory is skipped", script: `mkdir /out && rsync sub fruit /out; find /out | sort`, want: "skipping directory sub\n/out\n/out/fruit\n"},
		{name: "exclude by name", script: `rsync -a --exclude deep --exclude=.hidden . /out && ls -A /out/sub; ls -A /out | grep -c hidden`, want: "0\n", code: 1},
		{name: "exclude a path with **", script: `mkdir -p x/y && touch x/y/z x/k && rsync -a --exclude 'x/**' . /out && find /out/x`, want: "/out/x\n"},
		{name: "anchored exclude", script: `mkdir -p a/sub && touch a/sub/f && rsync -a --exclude /sub . /out && find /out/a | sort && test ! -e /out/sub`,
			want: "/out/a\n/out/a/sub\n/out/a/sub/f\n"},
		{name: "directory-only exclude", script: `rsync -a --exclude 'fruit/' --exclude 'sub/' . /out && ls /out | grep -c -e fruit -e sub`, want: "1\n"},
		{name: "files-from with -r", script: `printf './sub/\nfruit\n' > /list && rsync -rRa --files-from=/list . /out/. && find /out | sort`,
			want: "/out\n/out/fruit\n/out/sub\n/out/sub/deep\n"},
		{name: "files-from without -r makes a directory, not its contents", script: `printf 'sub\n' > /list && rsync -a --files-from /list . /out && find /out | sort`,
			want: "/out\n/out/sub\n"},
		{name: "archive keeps modes and times", script: `chmod 750 sub && sleep 1 && rsync -a . /a && rsync -r . /b && stat -c %a /a/sub && test $(stat -c %Y fruit) = $(stat -c %Y /a/fruit) && test $(stat -c %Y fruit) != $(stat -c %Y /b/fruit) && echo kept`,
			want: "750\nkept\n"},
		{name: "missing source", script: `rsync -a nope /out 2>&1`, want: "rsync: [sender] link_stat \"/data/nope\" failed: No such file or directory\nrsync error: some files/attrs were not transferred (see previous errors) (code 23)\n", code: 23},
		{name: "remote hosts are refused", script: `rsync -a fruit host:/x 2>&1 | head -1`, want: "rsync: host:/x: the sandbox's rsync copies local paths only\n"},
		{name: "gitlab-ci-local artifact export", script: `mkdir -p /tmp && bash -c '
shopt -s globstar nullglob dotglob
mkdir -p /artifacts/build
_gcl_files_tmp=$(mktemp)
for _gcl_f in ./sub/; do printf "%s\n" "$_gcl_f"; done >> $_gcl_files_tmp
for _gcl_f in ./**/dee*; do printf "%s\n" "$_gcl_f"; done >> $_gcl_files_tmp
rsync --exclude ".gitlab-ci-local/**" -rRa --files-from=$_gcl_files_tmp . /artifacts/build/. || true
rm -f $_gcl_files_tmp
chmod -R u+w /artifacts 2>/dev/null || true' && find /artifacts | sort`,
			want: "/artifacts\n/artifacts/build\n/artifacts/build/sub\n/artifacts/build/sub/deep\n"},
		{name: "gitlab-ci-local cache export", script: `bash -c '
shopt -s globstar nullglob dotglob
mkdir -p /cache/key
rsync -Ra ./sub/ /cache/key/. || true' && find /cache | sort`, want: "/cache\n/cache/key\n/cache/key/sub\n/cache/key/sub/deep\n"},
	})
}

func TestMktemp(t *testing.T) {
	runCases(t, []caseT{
		{name: "a file under /tmp", script: `mkdir -p /tmp && f=$(mktemp) && test -f "$f" && stat -c %a "$f" && dirname "$f"`, want: "600\n/tmp\n"},
		{name: "a directory", script: `mkdir -p /tmp && d=$(mktemp -d) && test -d "$d" && stat -c %a "$d"`, want: "700\n"},
		{name: "template under TMPDIR", script: `mkdir /t && TMPDIR=/t mktemp -t job.XXXXXX | grep -c '^/t/job\.[A-Za-z0-9]\{6\}$'`, want: "1\n"},
		{name: "template relative to the working directory", script: `mktemp out.XXXX | grep -c '^out\.....$'; ls | grep -c '^out\.'`, want: "1\n1\n"},
		{name: "names differ", script: `mkdir -p /tmp && a=$(mktemp) && b=$(mktemp) && test "$a" != "$b" && echo differ`, want: "differ\n"},
		{name: "too few X's", script: `mktemp fooXX 2>&1`, want: "mktemp: too few X's in template 'fooXX'\n", code: 1},
	})
}
