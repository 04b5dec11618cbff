package sandbox

import (
	"strings"
	"syscall"
	"testing"
)

// top lists the container's own processes, -n times or until it is
// signalled, so images can run it as a long-lived main process.
func TestTop(t *testing.T) {
	for _, tc := range []struct {
		name   string
		args   []string
		want   []string // in stdout
		code   int
		stderr string
	}{
		{"one snapshot of the container's processes", []string{"top", "-b", "-n", "1"},
			[]string{"  PID  PPID COMMAND\n", "top -b -n 1\n"}, 0, ""},
		{"two snapshots, -d apart", sh("top -b -n2 -d 0.01"), []string{"sh -c top -b -n2 -d 0.01\n"}, 0, ""},
		{"an unknown option", []string{"top", "-x"}, nil, 1, "top: unknown option -x"},
		{"a bad delay", []string{"top", "-d", "soon"}, nil, 1, `top: invalid number "soon" for -d`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := run(t, Spec{Args: tc.args}, "")
			if r.code != tc.code || !strings.Contains(r.stderr, tc.stderr) {
				t.Fatalf("exit %d, stderr %q; want %d, %q", r.code, r.stderr, tc.code, tc.stderr)
			}
			for _, w := range tc.want {
				if !strings.Contains(r.stdout, w) {
					t.Errorf("stdout %q lacks %q", r.stdout, w)
				}
			}
		})
	}
	t.Run("it runs until it is signalled", func(t *testing.T) {
		p, out := start(t, []string{"top"}, "COMMAND")
		if got := strings.Count(out.String(), "PID  PPID"); got != 1 {
			t.Errorf("%d snapshots at once, want 1: %q", got, out.String())
		}
		if err := p.Signal(syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
		if code := waitCode(t, p); code != 128+int(syscall.SIGTERM) {
			t.Errorf("exit %d after SIGTERM, want %d", code, 128+int(syscall.SIGTERM))
		}
	})
}
