package cli_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sockerless/sockerless/agent"
	"github.com/sockerless/sockerless/agent/hub"
	"github.com/sockerless/sockerless/agent/internal/syncbuf"
	"github.com/sockerless/sockerless/agent/lambdart"
	"github.com/sockerless/sockerless/agent/proto"
)

// These tests run the real agent binary (agent/cmd/agent).

// TestInstalledAgentRuns: install copies the binary into directories
// that do not exist yet, executable, and the copy is the agent.
func TestInstalledAgentRuns(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the agent binary")
	}
	bin := build(t, "./agent/cmd/agent")
	dest := filepath.Join(t.TempDir(), "shared", "volume", "agent")
	if out, err := exec.Command(bin, "install", dest).CombinedOutput(); err != nil {
		t.Fatalf("install: %v\n%s", err, out)
	}
	st, err := os.Stat(dest)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o755 {
		t.Errorf("installed with mode %v, want 0755", st.Mode().Perm())
	}
	out, err := exec.Command(dest, "version").Output()
	if err != nil || !strings.Contains(string(out), agent.Marker) {
		t.Errorf("installed agent's version = %q, %v", out, err)
	}
}

// TestLambdaRuntimeInTheSimulator makes the agent binary the bootstrap of
// a zip function in the AWS simulator and invokes it: each invocation
// runs one container's main process under a real hub, and answers once
// the hub recorded the exit. One warm instance serves them in turn.
func TestLambdaRuntimeInTheSimulator(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the agent binary and the AWS simulator")
	}
	endpoint := startSimulator(t)
	bootstrap := build(t, "./agent/cmd/agent")

	h := hub.New(func(_ context.Context, id, token string) error {
		if token != "tok-"+id {
			return errors.New("wrong token")
		}
		return nil
	})
	exits := make(chan string, 8)
	h.OnExit(func(id string, code int, _ time.Time) { exits <- id + ":" + strconv.Itoa(code) })
	srv := httptest.NewServer(h)
	defer srv.Close()
	edgeURL := "ws" + strings.TrimPrefix(srv.URL, "http") + "/agent/v1/connect"

	createFunction(t, endpoint, "agent-fn", zipBootstrap(t, bootstrap))

	for _, tc := range []struct {
		name      string
		inv       lambdart.Invocation
		want      lambdart.Result
		wantOut   string // at the attach
		wantExit  string // recorded by the hub
		wantInLog string // in the function's log
	}{
		{name: "main's output reaches the edge and its exit code the response",
			inv:  lambdart.Invocation{ContainerID: "c1", EdgeURL: edgeURL, Token: "tok-c1", Main: proto.ProcessSpec{Args: []string{"sh", "-c", "echo hi; exit 3"}}},
			want: lambdart.Result{ExitCode: 3}, wantOut: "hi\n", wantExit: "c1:3", wantInLog: "hi"},
		{name: "the warm runtime serves the next container",
			inv:  lambdart.Invocation{ContainerID: "c2", EdgeURL: edgeURL, Token: "tok-c2", Main: proto.ProcessSpec{Args: []string{"sh", "-c", "echo second"}}},
			want: lambdart.Result{ExitCode: 0}, wantOut: "second\n", wantExit: "c2:0", wantInLog: "second"},
		{name: "an invocation that cannot run is the function's error",
			inv:  lambdart.Invocation{ContainerID: "c3", Token: "tok-c3", Main: proto.ProcessSpec{Args: []string{"true"}}},
			want: lambdart.Result{ExitCode: -1, Error: lambdart.ErrorTypeRun + ": agent: no edge URL and no listener"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
			defer cancel()
			var out syncbuf.Buffer
			attached := make(chan error, 1)
			in := &notifyReader{reading: make(chan struct{})}
			go func() { attached <- h.Attach(ctx, tc.inv.ContainerID, in, &out, &out) }()
			<-in.reading

			payload, _ := json.Marshal(tc.inv)
			resp, body := awsCall(t, http.MethodPost, endpoint+"/2015-03-31/functions/agent-fn/invocations", "lambda", payload,
				map[string]string{"X-Amz-Log-Type": "Tail"})
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("Invoke: %s %s", resp.Status, body)
			}
			got, err := lambdart.ParseResponse(body, resp.Header.Get("X-Amz-Function-Error"))
			if err != nil || got != tc.want {
				t.Errorf("Invoke answered %+v (%v), want %+v", got, err, tc.want)
			}
			logTail, _ := base64.StdEncoding.DecodeString(resp.Header.Get("X-Amz-Log-Result"))
			if !strings.Contains(string(logTail), tc.wantInLog) {
				t.Errorf("function log %q lacks %q", logTail, tc.wantInLog)
			}
			if tc.wantExit == "" {
				return
			}
			// The response came after the ack, so the hub has the exit.
			select {
			case e := <-exits:
				if e != tc.wantExit {
					t.Errorf("hub recorded %s, want %s", e, tc.wantExit)
				}
			default:
				t.Error("Invoke answered before the hub recorded the exit")
			}
			if err := <-attached; err != nil {
				t.Fatal(err)
			}
			if out.String() != tc.wantOut {
				t.Errorf("attach got %q, want %q", out.String(), tc.wantOut)
			}
		})
	}
}

// zipBootstrap is a function package whose bootstrap is the file at bin.
func zipBootstrap(t *testing.T, bin string) []byte {
	t.Helper()
	exe, err := os.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	hdr := &zip.FileHeader{Name: "bootstrap", Method: zip.Deflate}
	hdr.SetMode(0o755)
	w, err := zw.CreateHeader(hdr)
	if err == nil {
		_, err = w.Write(exe)
	}
	if err == nil {
		err = zw.Close()
	}
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// createFunction creates a provided.al2023 zip function whose handler
// is "lambda" (the agent's subcommand, which its bootstrap also assumes
// when started with no arguments).
func createFunction(t *testing.T, endpoint, name string, code []byte) {
	t.Helper()
	in, _ := json.Marshal(map[string]any{
		"FunctionName": name, "Runtime": "provided.al2023", "Handler": "lambda", "Timeout": 30,
		"Role": "arn:aws:iam::000000000000:role/agent", "Code": map[string]any{"ZipFile": code},
	})
	resp, body := awsCall(t, http.MethodPost, endpoint+"/2015-03-31/functions", "lambda", in, map[string]string{"Content-Type": "application/json"})
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("CreateFunction: %s %s", resp.Status, body)
	}
}
