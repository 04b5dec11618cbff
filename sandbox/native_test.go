package sandbox

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// testMarker identifies testNative's executables; an ELF header keeps
// them binary.
const testMarker = "sandbox-test-native/1"

// testNative is a small program with the shapes a real one (the agent)
// needs: it reports what it was given, reads stdin, starts a sibling
// process, and waits for cancellation.
var testNative = Native{Name: "test-native", Marker: []byte(testMarker), Run: func(ctx context.Context, p *NativeProcess) int {
	switch p.Args[1] {
	case "info":
		in, _ := io.ReadAll(p.Stdin)
		fmt.Fprintf(p.Stdout, "args=%q exe=%s dir=%s foo=%s stdin=%q\n", p.Args, p.Exe, p.Dir, getenv(p.Env, "FOO"), in)
		return 3
	case "start":
		var out bytes.Buffer
		proc, err := p.Start(ctx, ProcessSpec{Args: p.Args[2:], Env: []string{"BAR=bar"}, Dir: "/work"}, Stdio{Stdout: &out, Stderr: p.Stderr})
		if err != nil {
			fmt.Fprintln(p.Stderr, err)
			return 1
		}
		code := proc.Wait()
		fmt.Fprintf(p.Stdout, "child exited %d: %s", code, out.String())
		return 0
	case "self":
		b, err := p.FS.ReadFile(p.Exe)
		if err != nil {
			fmt.Fprintln(p.Stderr, err)
			return 1
		}
		fmt.Fprintf(p.Stdout, "%d bytes\n", len(b))
		return 0
	case "orphan":
		out := &syncBuffer{}
		if _, err := p.Start(context.Background(), ProcessSpec{Args: []string{"sh", "-c", "echo started; sleep 100"}}, Stdio{Stdout: out}); err != nil {
			fmt.Fprintln(p.Stderr, err)
			return 1
		}
		for out.String() == "" {
			time.Sleep(time.Millisecond)
		}
		return 0
	case "block":
		fmt.Fprintln(p.Stdout, "blocking")
		<-ctx.Done()
		return 0
	}
	return 2
}}

func init() { RegisterNative(testNative) }

func getenv(env []string, k string) string {
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, k+"="); ok {
			return v
		}
	}
	return ""
}

func TestNative(t *testing.T) {
	tool := "\x7fELF\x02\x01\x01 code " + testMarker + " more code"
	image := map[string]string{
		"usr/bin/tool":  tool,
		"opt/link":      "->/usr/bin/tool",
		"usr/bin/other": "\x7fELF\x02\x01\x01 some other binary",
		"etc/passwd":    "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000:app:/home/app:/bin/sh\n",
		"etc/group":     "root:x:0:\napp:x:1000:\n",
	}
	for _, tc := range []struct {
		name   string
		args   []string
		user   string
		want   string
		code   int
		errHas string
	}{
		{name: "runs with its args env dir and stdin", args: sh("cd /usr; FOO=x tool info a 'b c' <<EOF\nin\nEOF\necho status $?"),
			want: "args=[\"tool\" \"info\" \"a\" \"b c\"] exe=/usr/bin/tool dir=/usr foo=x stdin=\"in\\n\"\nstatus 3\n"},
		{name: "called through a symlink", args: []string{"/opt/link", "info"}, code: 3,
			want: "args=[\"/opt/link\" \"info\"] exe=/usr/bin/tool dir=/ foo= stdin=\"\"\n"},
		{name: "starts a process in the same container", args: []string{"tool", "start", "sh", "-c", "echo $BAR $(id -un) $(pwd) $(hostname); echo made > /made; exit 4"},
			user: "app", want: "child exited 4: bar app /work box\n"},
		{name: "reads its own executable", args: []string{"tool", "self"}, want: fmt.Sprintf("%d bytes\n", len(tool))},
		{name: "other binaries are still refused", args: []string{"other"}, code: 127, errHas: "cannot run /usr/bin/other: native executables are not supported"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			img, root := t.TempDir(), t.TempDir()
			files(t, img, image)
			r := run(t, Spec{Root: root, Image: img, Args: tc.args, User: tc.user, Hostname: "box"}, "")
			if r.stdout != tc.want || r.code != tc.code || !strings.Contains(r.stderr, tc.errHas) {
				t.Fatalf("got code %d stdout %q stderr %q; want code %d stdout %q stderr containing %q",
					r.code, r.stdout, r.stderr, tc.code, tc.want, tc.errHas)
			}
			if len(tc.args) > 1 && tc.args[1] == "start" {
				if b, err := os.ReadFile(filepath.Join(root, "made")); string(b) != "made\n" {
					t.Errorf("the child's write is not in the container's root: %q %v", b, err)
				}
			}
		})
	}
}

// TestNativeEnds proves that ending the process reaches the native
// program through its context, as a signal or kill reaches a real one.
func TestNativeEnds(t *testing.T) {
	for _, tc := range []struct {
		name string
		end  func(p *Process, cancel context.CancelFunc)
		code int
	}{
		{"SIGTERM", func(p *Process, _ context.CancelFunc) { p.Signal(syscall.SIGTERM) }, 143},
		{"SIGKILL", func(p *Process, _ context.CancelFunc) { p.Signal(syscall.SIGKILL) }, 137},
		{"context cancelled", func(_ *Process, cancel context.CancelFunc) { cancel() }, 137},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			files(t, root, map[string]string{"bin/tool": "\x7fELF" + testMarker})
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			out := &syncBuffer{}
			p, err := Start(ctx, Spec{Root: root, Args: []string{"/bin/tool", "block"}}, Stdio{Stdout: out})
			if err != nil {
				t.Fatal(err)
			}
			waitFor(t, func() bool { return out.String() == "blocking\n" }, out.String)
			tc.end(p, cancel)
			select {
			case <-p.Done():
			case <-time.After(10 * time.Second):
				t.Fatal("the native program did not end")
			}
			if code := p.Wait(); code != tc.code {
				t.Fatalf("exit %d, want %d", code, tc.code)
			}
		})
	}
}

// TestNativeRescan proves the scan cache notices a changed executable.
func TestNativeRescan(t *testing.T) {
	root := t.TempDir()
	files(t, root, map[string]string{"bin/tool": "\x7fELF" + testMarker})
	if r := run(t, Spec{Root: root, Args: []string{"/bin/tool", "info"}}, ""); r.code != 3 {
		t.Fatalf("first run: %+v", r)
	}
	old := time.Now().Add(-time.Hour)
	host := filepath.Join(root, "bin", "tool")
	if err := os.WriteFile(host, []byte("\x7fELF not the tool any more"), 0o755); err != nil {
		t.Fatal(err)
	}
	os.Chtimes(host, old, old)
	if r := run(t, Spec{Root: root, Args: []string{"/bin/tool", "info"}}, ""); r.code != 127 {
		t.Fatalf("changed file still ran as the native: %+v", r)
	}
}

func TestScanNatives(t *testing.T) {
	block := 64 << 10
	for _, tc := range []struct {
		name string
		at   int // where the marker starts; -1 for nowhere
	}{
		{"at the start", 0},
		{"inside the first read", 100},
		{"split across two reads", block - 5},
		{"split across two short reads", 2995},
		{"just after the first read", block},
		{"deep in a large file", 10*block + 7},
		{"absent", -1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data := bytes.Repeat([]byte{0}, 11*block)
			want := ""
			if tc.at >= 0 {
				copy(data[tc.at:], testMarker)
				want = testNative.Name
			}
			list := []Native{{Name: "other", Marker: []byte("not-present-anywhere")}, testNative}
			for _, short := range []bool{false, true} {
				open := func() (io.ReadCloser, error) {
					var r io.Reader = bytes.NewReader(data)
					if short {
						r = &shortReader{r} // as pipes and some files read
					}
					return io.NopCloser(r), nil
				}
				if got, err := scanNatives(open, list); err != nil || got != want {
					t.Fatalf("short reads %v: scan = %q, %v; want %q", short, got, err, want)
				}
			}
		})
	}
}

type shortReader struct{ r io.Reader }

func (s *shortReader) Read(p []byte) (int, error) {
	if len(p) > 1000 {
		p = p[:1000]
	}
	return s.r.Read(p)
}

// TestNativeChildrenEnd proves that what a native program started ends
// with it, as a container's processes end with its main process.
func TestNativeChildrenEnd(t *testing.T) {
	root := t.TempDir()
	files(t, root, map[string]string{"bin/tool": "\x7fELF" + testMarker})
	if r := run(t, Spec{Root: root, Args: []string{"/bin/tool", "orphan"}}, ""); r.code != 0 {
		t.Fatalf("run: %+v", r)
	}
	waitFor(t, func() bool { return len(ProcessesIn(root)) == 0 }, func() string { return fmt.Sprint(ProcessesIn(root)) })
}
