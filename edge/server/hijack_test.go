package server

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/moby/moby/api/pkg/stdcopy"
	"github.com/moby/moby/client"

	"github.com/sockerless/sockerless/agent/proto"
	"github.com/sockerless/sockerless/functions/call"
)

// attachAnswer serves attach and nothing else, as the function does for
// a created (not yet started) container.
func attachAnswer(tty bool) func(*rig, call.Call) call.Reply {
	return func(_ *rig, c call.Call) call.Reply {
		if c.Op != call.OpContainerAttach {
			return call.Reply{Status: 500, Body: []byte(`{"message":"unexpected op ` + c.Op + `"}`)}
		}
		q := c.Query
		return call.Reply{Status: 200, Stream: &call.Stream{
			Kind: call.StreamAttach, Container: c.Var("name"), TTY: tty,
			Stdin: q.Get("stdin") == "1", Stdout: q.Get("stdout") == "1", Stderr: q.Get("stderr") == "1",
		}}
	}
}

func TestAttachMultiplexedWithStdin(t *testing.T) {
	r := newRig(t, attachAnswer(false))
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	// Like docker run: attach first, then the workload starts.
	res, err := r.cli.ContainerAttach(ctx, "c1", client.ContainerAttachOptions{Stream: true, Stdin: true, Stdout: true, Stderr: true})
	if err != nil {
		t.Fatal(err)
	}
	defer res.Close()
	if mt, _ := res.MediaType(); mt != "application/vnd.docker.multiplexed-stream" {
		t.Fatalf("media type = %q", mt)
	}
	main := sh(`read line; echo "out:$line"; echo "err:$line" >&2; exit 3`)
	main.Stdin = true
	r.runAgent(t, "c1", main)

	if _, err := io.WriteString(res.Conn, "hello\n"); err != nil {
		t.Fatal(err)
	}
	if err := res.CloseWrite(); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	if _, err := stdcopy.StdCopy(&stdout, &stderr, res.Reader); err != nil {
		t.Fatal(err)
	}
	if stdout.String() != "out:hello\n" || stderr.String() != "err:hello\n" {
		t.Fatalf("stdout %q, stderr %q", stdout.String(), stderr.String())
	}
	// The stream ends only after the exit is recorded.
	if code, ok := r.recorded("c1", false); !ok || code != 3 {
		t.Fatalf("exit recorded = %d, %v; want 3 before the stream ended", code, ok)
	}
}

func TestAttachTTYRaw(t *testing.T) {
	r := newRig(t, attachAnswer(true))
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	res, err := r.cli.ContainerAttach(ctx, "c2", client.ContainerAttachOptions{Stream: true, Stdout: true, Stderr: true})
	if err != nil {
		t.Fatal(err)
	}
	defer res.Close()
	if mt, _ := res.MediaType(); mt != "application/vnd.docker.raw-stream" {
		t.Fatalf("media type = %q", mt)
	}
	main := sh(`echo tty-out; echo tty-err >&2`)
	main.TTY = true
	r.runAgent(t, "c2", main)
	out, err := io.ReadAll(res.Reader)
	if err != nil {
		t.Fatal(err)
	}
	// A terminal merges the streams and turns \n into \r\n; no framing.
	if got := string(out); got != "tty-out\r\ntty-err\r\n" {
		t.Fatalf("raw output = %q", got)
	}
}

func TestAttachWithoutUpgradeAnswers200(t *testing.T) {
	r := newRig(t, attachAnswer(false))
	r.runAgent(t, "c3", sh(`sleep 0.3; echo late`))
	req, _ := http.NewRequest("POST", r.edge.URL+"/v1.41/containers/c3/attach?stream=1&stdout=1", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	// API 1.41 predates the multiplexed content type.
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/vnd.docker.raw-stream" {
		t.Fatalf("status %d, content type %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	var stdout bytes.Buffer
	if _, err := stdcopy.StdCopy(&stdout, io.Discard, resp.Body); err != nil {
		t.Fatal(err)
	}
	if stdout.String() != "late\n" {
		t.Fatalf("stdout = %q", stdout.String())
	}
}

// execAnswer serves exec start for exec e1 of a running container.
func execAnswer(spec proto.ProcessSpec, tty bool) func(*rig, call.Call) call.Reply {
	return func(_ *rig, c call.Call) call.Reply {
		if c.Op != call.OpExecStart {
			return call.Reply{Status: 500, Body: []byte(`{"message":"unexpected op ` + c.Op + `"}`)}
		}
		raw, _ := json.Marshal(spec)
		return call.Reply{Status: 200, Stream: &call.Stream{
			Kind: call.StreamExec, Container: "c1", Exec: c.Var("id"), TTY: tty, Running: true,
			Stdin: spec.Stdin, Stdout: true, Stderr: true, Spec: raw,
		}}
	}
}

func TestExecAttachRecordsExitBeforeClosing(t *testing.T) {
	spec := sh(`cat; echo done >&2; exit 5`)
	spec.Stdin = true
	r := newRig(t, execAnswer(spec, false))
	r.runAgent(t, "c1", sh(`sleep 30`))
	r.waitSession(t, "c1")
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	res, err := r.cli.ExecAttach(ctx, "e1", client.ExecAttachOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer res.Close()
	if _, err := io.WriteString(res.Conn, "piped\n"); err != nil {
		t.Fatal(err)
	}
	_ = res.CloseWrite()
	var stdout, stderr bytes.Buffer
	if _, err := stdcopy.StdCopy(&stdout, &stderr, res.Reader); err != nil {
		t.Fatal(err)
	}
	if stdout.String() != "piped\n" || stderr.String() != "done\n" {
		t.Fatalf("stdout %q, stderr %q", stdout.String(), stderr.String())
	}
	if code, ok := r.recorded("e1", true); !ok || code != 5 {
		t.Fatalf("exec exit = %d, %v; want 5 recorded before the stream closed", code, ok)
	}
}

func TestExecDetached(t *testing.T) {
	r := newRig(t, execAnswer(sh(`exit 7`), false))
	r.runAgent(t, "c1", sh(`sleep 30`))
	r.waitSession(t, "c1")
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if _, err := r.cli.ExecStart(ctx, "e2", client.ExecStartOptions{Detach: true}); err != nil {
		t.Fatal(err)
	}
	if code := r.exitOf(t, "e2", true); code != 7 {
		t.Fatalf("detached exec exit = %d", code)
	}
}

func TestExecNotRunning(t *testing.T) {
	r := newRig(t, func(_ *rig, c call.Call) call.Reply {
		return call.Reply{Status: 200, Stream: &call.Stream{Kind: call.StreamExec, Container: "gone", Exec: "e1", Spec: []byte(`{"args":["true"]}`)}}
	})
	resp, body := doURL(t, "POST", r.edge.URL+"/exec/e1/start", strings.NewReader(`{}`))
	if resp.StatusCode != 409 || message(t, body) != "container gone is not running" {
		t.Fatalf("%d %s", resp.StatusCode, body)
	}
}

func doURL(t *testing.T, method, url string, body io.Reader) (*http.Response, []byte) {
	t.Helper()
	req, _ := http.NewRequest(method, url, body)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

func TestAttachWebSocket(t *testing.T) {
	r := newRig(t, attachAnswer(false))
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	url := "ws" + strings.TrimPrefix(r.edge.URL, "http") + "/v1.44/containers/c4/attach/ws?stream=1&stdin=1&stdout=1&stderr=1"
	ws, _, err := websocket.Dial(ctx, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.CloseNow()
	main := sh(`read line; echo "got:$line"; echo "err:$line" >&2`)
	main.Stdin = true
	r.runAgent(t, "c4", main)
	if err := ws.Write(ctx, websocket.MessageBinary, []byte("hi\n")); err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	for {
		typ, b, err := ws.Read(ctx)
		if err != nil {
			if websocket.CloseStatus(err) != websocket.StatusNormalClosure {
				t.Fatalf("read: %v", err)
			}
			break
		}
		if typ != websocket.MessageBinary {
			t.Fatalf("message type %v, want binary", typ)
		}
		out.Write(b)
	}
	// Unframed, stdout and stderr in one stream.
	if got := out.String(); got != "got:hi\nerr:hi\n" && got != "err:hi\ngot:hi\n" {
		t.Fatalf("output = %q", got)
	}
}
