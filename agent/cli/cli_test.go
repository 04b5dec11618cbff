package cli_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"io/fs"
	"net"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sockerless/sockerless/agent"
	"github.com/sockerless/sockerless/agent/cli"
	"github.com/sockerless/sockerless/agent/hub"
	"github.com/sockerless/sockerless/agent/internal/syncbuf"
	"github.com/sockerless/sockerless/agent/osproc"
)

const testTimeout = 20 * time.Second

// run runs the program with args and environment vars, real OS
// processes, and returns its exit code and streams.
func run(ctx context.Context, args []string, vars map[string]string) (int, string, string) {
	var stdout, stderr syncbuf.Buffer
	code := cli.Main(ctx, cli.Env{Args: args, Getenv: func(k string) string { return vars[k] },
		Stdout: &stdout, Stderr: &stderr, Runtime: osproc.Runtime{}})
	return code, stdout.String(), stderr.String()
}

func TestVersion(t *testing.T) {
	code, out, _ := run(context.Background(), []string{"version"}, nil)
	if want := "sockerless-agent " + agent.Version + " (" + agent.Marker + ")\n"; code != 0 || out != want {
		t.Errorf("version = %d %q, want 0 %q", code, out, want)
	}
}

func TestUsageErrors(t *testing.T) {
	for _, tc := range []struct {
		name    string
		args    []string
		vars    map[string]string
		wantErr string
	}{
		{"no arguments", nil, nil, "no command to run"},
		{"nothing after --", []string{"--"}, nil, "no command after --"},
		{"install without a destination", []string{"install"}, nil, "one destination"},
		{"install with two destinations", []string{"install", "a", "b"}, nil, "one destination"},
		{"version with arguments", []string{"version", "x"}, nil, "no arguments"},
		{"lambda with arguments", []string{"lambda", "x"}, nil, "no arguments"},
		{"wrap with no edge", []string{"true"}, map[string]string{"SOCKERLESS_CONTAINER_ID": "c"}, "SOCKERLESS_EDGE_URL"},
		{"wrap with both modes", []string{"true"}, map[string]string{"SOCKERLESS_EDGE_URL": "ws://x", "SOCKERLESS_AGENT_LISTEN": ":0"}, "only one"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := run(context.Background(), tc.args, tc.vars)
			if code != 2 || out != "" || !strings.Contains(errOut, tc.wantErr) || !strings.Contains(errOut, "usage:") {
				t.Errorf("= %d, stdout %q, stderr %q; want 2 and a usage message about %q", code, out, errOut, tc.wantErr)
			}
		})
	}
}

// TestWrap runs the program's default mode against a real hub in both
// directions: the agent dials the edge, or the edge dials the agent.
func TestWrap(t *testing.T) {
	for _, tc := range []struct {
		name     string
		forward  bool
		args     []string
		wantCode int
		wantOut  string // at the attach and in the program's own stdout
		wantErr  string // contained in stderr, both places
	}{
		{name: "reverse mode", args: []string{"sh", "-c", "echo hi; echo oops >&2; exit 3"},
			wantCode: 3, wantOut: "hi\n", wantErr: "oops\n"},
		{name: "forward mode", forward: true, args: []string{"sh", "-c", "echo hi; echo oops >&2; exit 3"},
			wantCode: 3, wantOut: "hi\n", wantErr: "oops\n"},
		// After --, a subcommand's name is the command to run.
		{name: "-- runs a command named like a subcommand", args: []string{"--", "version"},
			wantCode: 127, wantErr: `starting ["version"]`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
			defer cancel()
			h := hub.New(func(_ context.Context, id, token string) error {
				if id != "c1" || token != "tok" {
					return errors.New("wrong credentials")
				}
				return nil
			})
			exits := make(chan int, 4)
			h.OnExit(func(_ string, code int, _ time.Time) { exits <- code })
			var attOut, attErr syncbuf.Buffer
			attached := make(chan error, 1)
			in := &notifyReader{reading: make(chan struct{})}
			go func() { attached <- h.Attach(ctx, "c1", in, &attOut, &attErr) }()
			<-in.reading

			vars := map[string]string{"SOCKERLESS_CONTAINER_ID": "c1", "SOCKERLESS_TOKEN": "tok"}
			dialed := make(chan error, 1)
			if tc.forward {
				addr := freeAddr(t)
				vars["SOCKERLESS_AGENT_LISTEN"] = addr
				// The agent may not listen yet: Dial retries until it does.
				go func() { dialed <- h.Dial(ctx, "ws://"+addr+agent.ForwardPath, "c1", "tok") }()
			} else {
				dialed <- nil
				srv := httptest.NewServer(h)
				defer srv.Close()
				vars["SOCKERLESS_EDGE_URL"] = "ws" + strings.TrimPrefix(srv.URL, "http") + "/agent/v1/connect"
			}
			code, out, errOut := run(ctx, tc.args, vars)
			if code != tc.wantCode {
				t.Errorf("exit %d, want %d (stderr %q)", code, tc.wantCode, errOut)
			}
			if err := <-attached; err != nil {
				t.Fatal(err)
			}
			if err := <-dialed; err != nil {
				t.Errorf("Dial: %v", err)
			}
			select {
			case got := <-exits:
				if got != tc.wantCode {
					t.Errorf("the edge recorded %d, want %d", got, tc.wantCode)
				}
			default:
				t.Error("the program returned before the edge recorded the exit")
			}
			for _, s := range []struct{ where, out, err string }{{"attach", attOut.String(), attErr.String()}, {"program", out, errOut}} {
				if s.out != tc.wantOut || !strings.Contains(s.err, tc.wantErr) {
					t.Errorf("%s: stdout %q stderr %q; want %q and %q", s.where, s.out, s.err, tc.wantOut, tc.wantErr)
				}
			}
		})
	}
}

func TestWrapFailsWhenItCannotListen(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	code, _, errOut := run(context.Background(), []string{"true"}, map[string]string{
		"SOCKERLESS_AGENT_LISTEN": l.Addr().String(), "SOCKERLESS_CONTAINER_ID": "c1", "SOCKERLESS_TOKEN": "tok"})
	if code != 1 || !strings.Contains(errOut, "listening for the edge") {
		t.Errorf("= %d %q, want 1 and why", code, errOut)
	}
}

func TestInstall(t *testing.T) {
	self := "the agent's own bytes"
	for _, tc := range []struct {
		name     string
		self     func() (io.ReadCloser, error)
		failOpen bool
		wantCode int
		wantErr  string
	}{
		{name: "copies itself with mode 0755",
			self: func() (io.ReadCloser, error) { return io.NopCloser(strings.NewReader(self)), nil }},
		{name: "says why it cannot read itself",
			self:     func() (io.ReadCloser, error) { return nil, fs.ErrPermission },
			wantCode: 1, wantErr: "opening the agent's executable: permission denied"},
		{name: "says why it cannot create the destination",
			self:     func() (io.ReadCloser, error) { return io.NopCloser(strings.NewReader(self)), nil },
			failOpen: true, wantCode: 1, wantErr: "install /shared/agent: read-only file system"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got bytes.Buffer
			var gotPath string
			var gotPerm fs.FileMode
			var stderr syncbuf.Buffer
			code := cli.Main(context.Background(), cli.Env{Args: []string{"install", "/shared/agent"}, Stderr: &stderr,
				Self: tc.self,
				Create: func(path string, perm fs.FileMode) (io.WriteCloser, error) {
					if tc.failOpen {
						return nil, errors.New("read-only file system")
					}
					gotPath, gotPerm = path, perm
					return nopWriteCloser{&got}, nil
				}})
			if code != tc.wantCode || !strings.Contains(stderr.String(), tc.wantErr) {
				t.Fatalf("= %d %q, want %d %q", code, stderr.String(), tc.wantCode, tc.wantErr)
			}
			if tc.wantCode == 0 && (got.String() != self || gotPath != "/shared/agent" || gotPerm != 0o755) {
				t.Errorf("wrote %q to %s with %v", got.String(), gotPath, gotPerm)
			}
		})
	}
}

func TestLambdaOutsideLambda(t *testing.T) {
	code, _, errOut := run(context.Background(), []string{"lambda"}, nil)
	if code != 1 || !strings.Contains(errOut, "AWS_LAMBDA_RUNTIME_API is not set") {
		t.Errorf("= %d %q", code, errOut)
	}
}

type nopWriteCloser struct{ io.Writer }

func (nopWriteCloser) Close() error { return nil }

// notifyReader is an attach stdin that reports its first Read (Attach
// reads only once the attachment is bound) and then has nothing.
type notifyReader struct {
	once    sync.Once
	reading chan struct{}
}

func (n *notifyReader) Read([]byte) (int, error) {
	n.once.Do(func() { close(n.reading) })
	return 0, io.EOF
}

// freeAddr is a loopback address nothing listens on right now.
func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}
