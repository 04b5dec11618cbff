package sandbox

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDispatch(t *testing.T) {
	image := map[string]string{
		"bin/busybox":             "\x7fELF\x02\x01\x01binary",
		"bin/ls":                  "->busybox",
		"usr/bin/python3":         "\x7fELF\x02\x01\x01binary",
		"usr/local/bin/entry.sh":  "#!/bin/sh\necho \"entry $1\"\nexit 7\n",
		"usr/local/bin/envbash":   "#!/usr/bin/env bash\necho bash via env\n",
		"usr/local/bin/noshebang": "exec:echo plain text script\n",
		"usr/local/bin/tool.py":   "#!/usr/bin/python3\nprint('x')\n",
		"app/notexec.sh":          "echo never\n",
		"app/dir/":                "",
		"etc/passwd":              "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000:app:/home/app:/bin/sh\n",
		"etc/group":               "root:x:0:\napp:x:1000:\n",
	}
	for _, tc := range []struct {
		name   string
		args   []string
		user   string
		want   string
		code   int
		errHas string
	}{
		{name: "busybox link runs builtin", args: []string{"/bin/ls", "/app"}, want: "dir\nnotexec.sh\n"},
		{name: "builtin by name", args: []string{"echo", "hi"}, want: "hi\n"},
		{name: "shebang script from PATH", args: []string{"entry.sh", "x"}, want: "entry x\n", code: 7},
		{name: "env shebang", args: []string{"envbash"}, want: "bash via env\n"},
		{name: "text without shebang runs in sh", args: []string{"noshebang"}, want: "plain text script\n"},
		{name: "native binary refused", args: []string{"python3"}, code: 127,
			errHas: "sockerless sandbox: cannot run /usr/bin/python3: native executables are not supported by the sandbox runtime (it runs sh and built-in commands); use the engine runtime for real binaries"},
		{name: "script with native interpreter", args: []string{"tool.py"}, code: 127, errHas: "cannot run /usr/bin/python3"},
		{name: "not found", args: []string{"nosuch"}, code: 127, errHas: "sh: nosuch: not found"},
		{name: "not found from shell", args: sh("nosuch arg"), code: 127, errHas: "sh: nosuch: not found"},
		{name: "not executable", args: []string{"/app/notexec.sh"}, code: 126, errHas: "Permission denied"},
		{name: "directory", args: []string{"/app/dir"}, code: 126},
		{name: "sh runs a script file", args: []string{"sh", "/app/notexec.sh"}, want: "never\n"},
		{name: "missing script file", args: []string{"sh", "/app/none.sh"}, code: 127, errHas: "can't open"},
		{name: "user from passwd", args: []string{"sh", "-c", "id; whoami; echo $HOME"}, user: "app",
			want: "uid=1000(app) gid=1000(app) groups=1000(app)\napp\n/home/app\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			files(t, root, image)
			r := run(t, Spec{Root: root, Args: tc.args, User: tc.user}, "")
			if r.stdout != tc.want || r.code != tc.code || !strings.Contains(r.stderr, tc.errHas) {
				t.Fatalf("got code %d stdout %q stderr %q; want code %d stdout %q stderr containing %q",
					r.code, r.stdout, r.stderr, tc.code, tc.want, tc.errHas)
			}
		})
	}
}

func TestConfinement(t *testing.T) {
	base := t.TempDir()
	root, outside := filepath.Join(base, "root"), filepath.Join(base, "outside")
	files(t, outside, map[string]string{"secret": "host secret\n"})
	files(t, root, map[string]string{
		"etc/passwd": "root:x:0:0:root:/root:/bin/sh\n",
		"etc-link":   "->/etc",
		"hostlink":   "->" + outside + "/secret",
		"climb":      "->../../../../../..",
		"chain":      "->climb",
	})
	// The cases share one root and run in order: later ones see earlier writes.
	for _, tc := range []struct {
		name, script, want string
	}{
		{"dotdot read", "cat ../../../outside/secret 2>/dev/null || echo denied", "denied\n"},
		{"absolute host path", "cat " + outside + "/secret 2>/dev/null || echo denied", "denied\n"},
		{"symlink to host file", "cat /hostlink 2>/dev/null || echo denied", "denied\n"},
		{"absolute link is container /etc", "cat /etc-link/passwd", "root:x:0:0:root:/root:/bin/sh\n"},
		{"chain climbs to container root", "ls /chain/etc", "passwd\n"},
		{"cd above root", "cd /; cd ../../..; pwd; ls", "/\nchain\nclimb\netc\netc-link\nhostlink\n"},
		{"redirect to proc fails", "echo x > /proc/self/fd/1 || echo failed", "failed\n"},
		{"redirect via climb stays inside", "echo mine > /climb/outside-file; cat /outside-file", "mine\n"},
		{"glob cannot see host", "echo /../*", "/../chain /../climb /../etc /../etc-link /../hostlink /../outside-file\n"},
		{"test sees container", "[ -f " + outside + "/secret ] && echo leak || echo inside", "inside\n"},
		{"rm -rf through link stays inside", "rm -rf /hostlink; ls /", "chain\nclimb\netc\netc-link\noutside-file\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := run(t, Spec{Root: root, Args: sh(tc.script)}, "")
			if r.stdout != tc.want {
				t.Fatalf("stdout %q (stderr %q, code %d), want %q", r.stdout, r.stderr, r.code, tc.want)
			}
		})
	}
	if b, err := os.ReadFile(filepath.Join(outside, "secret")); err != nil || string(b) != "host secret\n" {
		t.Fatalf("host file changed: %q %v", b, err)
	}
	if _, err := os.Stat(filepath.Join(base, "outside-file")); err == nil {
		t.Fatal("a redirect escaped the root")
	}
}

func TestMountsInShell(t *testing.T) {
	root, rw, ro := t.TempDir(), t.TempDir(), t.TempDir()
	files(t, ro, map[string]string{"conf": "ro data\n"})
	files(t, rw, map[string]string{"in": "rw data\n"})
	mounts := []Mount{{Source: rw, Target: "/work"}, {Source: ro, Target: "/etc/app", ReadOnly: true}}
	r := run(t, Spec{Root: root, Mounts: mounts, Args: sh(`cat /work/in /etc/app/conf; echo out > /work/out;
		echo x > /etc/app/conf || echo refused; rm /etc/app/conf || echo refused; [ -w /etc/app/conf ] || echo ro`)}, "")
	if r.stdout != "rw data\nro data\nrefused\nrefused\nro\n" {
		t.Fatalf("stdout %q stderr %q", r.stdout, r.stderr)
	}
	if !strings.Contains(r.stderr, "read-only file system") {
		t.Errorf("stderr %q does not say read-only", r.stderr)
	}
	if b, _ := os.ReadFile(filepath.Join(rw, "out")); string(b) != "out\n" {
		t.Errorf("rw mount write: %q", b)
	}
	if b, _ := os.ReadFile(filepath.Join(ro, "conf")); string(b) != "ro data\n" {
		t.Errorf("ro mount changed: %q", b)
	}
	if fi, err := os.Stat(filepath.Join(root, "work")); err != nil || !fi.IsDir() {
		t.Errorf("mount point not created in root: %v", err)
	}
}

// TestMvAcrossMounts proves mv moves a file and a directory out of a
// mount into the container's own filesystem and back (act moves its
// step script from its /var/run/act volume: `shell: mv {0} Dockerfile`).
func TestMvAcrossMounts(t *testing.T) {
	vol := t.TempDir()
	files(t, vol, map[string]string{"workflow/0": "FROM x\n", "tree/a/b": "deep\n"})
	r := run(t, Spec{Mounts: []Mount{{Source: vol, Target: "/var/run/act"}}, Args: sh(`mkdir -p /ws && cd /ws &&
		mv /var/run/act/workflow/0 Dockerfile && cat Dockerfile &&
		mv /var/run/act/tree . && cat tree/a/b &&
		mv Dockerfile /var/run/act/back && cat /var/run/act/back &&
		test ! -e /var/run/act/workflow/0 && test ! -e /var/run/act/tree && test ! -e Dockerfile && echo moved`)}, "")
	if r.code != 0 || r.stdout != "FROM x\ndeep\nFROM x\nmoved\n" {
		t.Fatalf("code %d stdout %q stderr %q", r.code, r.stdout, r.stderr)
	}
	if _, err := os.Stat(filepath.Join(vol, "tree")); !os.IsNotExist(err) {
		t.Errorf("moved directory still in the mount: %v", err)
	}
}
