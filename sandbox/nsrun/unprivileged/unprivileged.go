// Package unprivileged runs a test as an unprivileged user, for tests of
// what works without root (rootless containers): run as root, Rerun runs
// the calling test again in a copy of the test binary as uid and gid
// 65534 and reports that run as the test's result.
package unprivileged

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
)

// ID is the uid and gid the test runs again as (nobody, nogroup).
const ID = 65534

// Rerun returns false when this process is not root: the caller runs the
// test itself. As root it runs the test again as ID, with env added to
// a minimal environment, fails or skips t as that run did, and returns
// true: the caller returns. Files the rerun needs from root (a built
// binary) go in Dir.
func Rerun(t *testing.T, env ...string) bool {
	t.Helper()
	return rerun(t, false, env)
}

// RerunWithoutUserNS is Rerun where the rerun may create no user
// namespace: it runs in a user namespace of its own (root's uid and ID
// mapped as themselves) whose max_user_namespaces is 0, a limit that
// holds for it and below, never the host. The kernel then refuses what
// rootless containers need, as a kernel without unprivileged user
// namespaces would.
func RerunWithoutUserNS(t *testing.T, env ...string) bool {
	t.Helper()
	return rerun(t, true, env)
}

func rerun(t *testing.T, noUserNS bool, env []string) bool {
	t.Helper()
	if os.Geteuid() != 0 {
		return false
	}
	dir := Dir(t)
	bin := Share(t, os.Args[0])
	var run []string
	for _, part := range strings.Split(t.Name(), "/") {
		run = append(run, "^"+regexp.QuoteMeta(part)+"$")
	}
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	args := []string{bin, "-test.run=" + strings.Join(run, "/"), "-test.v", "-test.count=1"}
	cmd := exec.CommandContext(t.Context(), args[0], args[1:]...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: ID, Gid: ID}}
	if noUserNS {
		id := fmt.Sprint(ID)
		cmd = exec.CommandContext(t.Context(), "/bin/sh", append([]string{"-c",
			`echo 0 > /proc/sys/user/max_user_namespaces && exec setpriv --reuid=` + id + ` --regid=` + id + ` --clear-groups "$@"`, "sh"}, args...)...)
		maps := []syscall.SysProcIDMap{{ContainerID: 0, HostID: 0, Size: 1}, {ContainerID: ID, HostID: ID, Size: 1}}
		cmd.SysProcAttr = &syscall.SysProcAttr{Cloneflags: syscall.CLONE_NEWUSER, UidMappings: maps, GidMappings: maps, GidMappingsEnableSetgroups: true}
	}
	cmd.Dir = wd
	cmd.Env = append([]string{"TMPDIR=" + dir, "HOME=" + dir, "PATH=" + os.Getenv("PATH")}, env...)
	out, err := cmd.CombinedOutput()
	switch {
	case err != nil:
		t.Fatalf("as uid %d: %v\n%s", ID, err, out)
	case strings.Contains(string(out), "--- SKIP: "+t.Name()+" "):
		t.Skipf("as uid %d:\n%s", ID, out)
	default:
		t.Logf("as uid %d:\n%s", ID, out)
	}
	return true
}

// Dir is a directory the unprivileged rerun may read and write, removed
// when t ends (once per test).
func Dir(t *testing.T) string {
	t.Helper()
	if d, ok := dirs[t.Name()]; ok {
		return d
	}
	d, err := os.MkdirTemp("", "unprivileged-")
	if err != nil {
		t.Fatal(err)
	}
	// The rerun's temporary files go here too; sticky, as /tmp.
	if err := os.Chmod(d, 0o777|os.ModeSticky); err != nil {
		t.Fatal(err)
	}
	dirs[t.Name()] = d
	t.Cleanup(func() { delete(dirs, t.Name()); os.RemoveAll(d) })
	return d
}

// Share makes the file at path readable by the rerun: a link to it (or
// a copy, across file systems) in Dir, whose path it returns.
func Share(t *testing.T, path string) string {
	t.Helper()
	shared := filepath.Join(Dir(t), filepath.Base(path))
	if err := os.Link(path, shared); err != nil {
		copyFile(t, path, shared)
	}
	if err := os.Chmod(shared, 0o755); err != nil {
		t.Fatal(err)
	}
	return shared
}

// dirs is each running test's Dir; tests that call Rerun do not run in
// parallel with each other (each waits for its rerun).
var dirs = map[string]string{}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	in, err := os.Open(from)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o755)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
}
