package sandbox

import (
	"testing"
)

// TestTestAsProcess proves test and [ answer when run as a process, not
// only inside a script, as busybox's applets do.
func TestTestAsProcess(t *testing.T) {
	image := map[string]string{
		"bin/busybox": "\x7fELF\x02\x01\x01binary",
		"bin/test":    "->busybox",
		"bin/[":       "->busybox",
		"tmp/ready":   "yes\n",
		"etc/passwd":  "root:x:0:0:root:/root:/bin/sh\n",
		"etc/group":   "root:x:0:\n",
		"app/notexec": "",
	}
	for _, tc := range []struct {
		name string
		args []string
		code int
	}{
		{"test finds a file", []string{"test", "-f", "/tmp/ready"}, 0},
		{"test misses a file", []string{"test", "-f", "/tmp/none"}, 1},
		{"test by its path", []string{"/bin/test", "-f", "/tmp/ready"}, 0},
		{"bracket compares strings", []string{"[", "a", "=", "a", "]"}, 0},
		{"bracket without its close", []string{"[", "a", "=", "a"}, 2},
		{"test takes a pattern-looking operand literally", []string{"test", "*", "=", "*"}, 0},
		{"test of an empty string", []string{"test", "-n", ""}, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			files(t, root, image)
			r := run(t, Spec{Root: root, Args: tc.args}, "")
			if r.code != tc.code {
				t.Fatalf("%q: exit %d (stderr %q), want %d", tc.args, r.code, r.stderr, tc.code)
			}
		})
	}
}
