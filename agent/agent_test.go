package agent_test

import (
	"bytes"
	"context"
	"io"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sockerless/sockerless/agent"
	"github.com/sockerless/sockerless/agent/hub"
	"github.com/sockerless/sockerless/agent/osproc"
	"github.com/sockerless/sockerless/agent/proto"
)

// TestRealProcessesThroughTheHub runs the agent with the os/exec runtime
// behind a real hub: main reads attached stdin, an exec runs beside it.
func TestRealProcessesThroughTheHub(t *testing.T) {
	for _, tc := range []struct {
		name       string
		main       proto.ProcessSpec
		stdin      string
		wantCode   int
		wantStdout string
		wantStderr string
	}{
		{name: "main reads stdin and exits with its code",
			main:  proto.ProcessSpec{Args: []string{"sh", "-c", "read x; echo got $x; echo bye >&2; exit 4"}, Stdin: true},
			stdin: "hi\n", wantCode: 4, wantStdout: "got hi\n", wantStderr: "bye\n"},
		{name: "main that cannot start exits 127 and says why",
			main:     proto.ProcessSpec{Args: []string{"no-such-command-here"}},
			wantCode: 127, wantStderr: "no-such-command-here"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			h := hub.New(func(context.Context, string, string) error { return nil })
			exits := make(chan int, 4)
			h.OnExit(func(_ string, code int, _ time.Time) { exits <- code })
			srv := httptest.NewServer(h)
			defer srv.Close()

			var stdout, stderr bytes.Buffer
			attached := make(chan error, 1)
			in := &notifyReader{r: strings.NewReader(tc.stdin), reading: make(chan struct{})}
			go func() { attached <- h.Attach(ctx, "c1", in, &stdout, &stderr) }()
			<-in.reading // Attach reads stdin only once the attachment is bound

			done := make(chan int, 1)
			go func() {
				code, err := agent.Run(ctx, agent.Config{EdgeURL: "ws" + strings.TrimPrefix(srv.URL, "http"),
					ContainerID: "c1", Token: "t", Main: tc.main, Runtime: osproc.Runtime{}})
				if err != nil {
					t.Error(err)
				}
				done <- code
			}()
			if err := <-attached; err != nil {
				t.Fatal(err)
			}
			if code := <-done; code != tc.wantCode {
				t.Errorf("Run = %d, want %d", code, tc.wantCode)
			}
			if code := <-exits; code != tc.wantCode {
				t.Errorf("OnExit %d, want %d", code, tc.wantCode)
			}
			if stdout.String() != tc.wantStdout || !strings.Contains(stderr.String(), tc.wantStderr) {
				t.Errorf("stdout %q stderr %q", stdout.String(), stderr.String())
			}
		})
	}
}

func TestRunRejectsIncompleteConfig(t *testing.T) {
	if _, err := agent.Run(context.Background(), agent.Config{ContainerID: "c", Runtime: osproc.Runtime{}}); err == nil {
		t.Fatal("Run without an edge URL succeeded")
	}
}

// notifyReader reports its first Read.
type notifyReader struct {
	r       io.Reader
	once    sync.Once
	reading chan struct{}
}

func (n *notifyReader) Read(p []byte) (int, error) {
	n.once.Do(func() { close(n.reading) })
	return n.r.Read(p)
}
