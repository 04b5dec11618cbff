package server

import (
	"archive/tar"
	"bytes"
	"context"
	"io"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/moby/moby/client"

	"github.com/sockerless/sockerless/functions/call"
)

// stopAnswer is the function's side of kill, stop and restart: it hands
// the edge a stream, answers wait(not-running) from the exits the rig
// recorded, and, like core, answers a restart of a stopped container by
// starting it.
func stopAnswer(signal string, timeout int) func(*rig, call.Call) call.Reply {
	return func(r *rig, c call.Call) call.Reply {
		id := c.Var("name")
		switch c.Op {
		case call.OpContainerKill:
			if c.Query.Get(call.QueryForceDriver) == "1" {
				return call.Reply{Status: 204}
			}
			return call.Reply{Status: 204, Stream: &call.Stream{Kind: call.StreamSignal, Container: id, Signal: c.Query.Get("signal"), Running: true}}
		case call.OpContainerStop, call.OpContainerRestart:
			if _, ok := r.recorded(id, false); ok && c.Op == call.OpContainerRestart {
				return call.Reply{Status: 204}
			}
			return call.Reply{Status: 204, Stream: &call.Stream{Kind: call.StreamStop, Container: id, Signal: signal, Timeout: timeout, Running: true}}
		case call.OpContainerWait:
			if c.Query.Get("condition") != "not-running" {
				break
			}
			if code, ok := r.recorded(id, false); ok {
				return call.Reply{Status: 200, Body: []byte(`{"StatusCode":` + strconv.Itoa(code) + `}`)}
			}
			return call.Reply{Status: 200, Stream: &call.Stream{Kind: call.StreamWait, Container: id, Cursor: "w"}}
		}
		return call.Reply{Status: 500, Body: []byte(`{"message":"unexpected ` + c.Op + `"}`)}
	}
}

func TestStopAndRestart(t *testing.T) {
	tests := []struct {
		name     string
		main     string
		timeout  int
		restart  bool
		wantCode int
		minTime  time.Duration
	}{
		{"SIGTERM stops", `exec sleep 30`, 5, false, 143, 0},
		{"SIGKILL after timeout", `trap "" TERM; while :; do sleep 0.05; done`, 1, false, 137, time.Second},
		{"restart starts again", `exec sleep 30`, 5, true, 143, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRig(t, stopAnswer("15", tt.timeout))
			r.runAgent(t, "c1", sh(tt.main))
			r.waitSession(t, "c1")
			time.Sleep(100 * time.Millisecond) // let sh install its trap
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			start := time.Now()
			var err error
			if tt.restart {
				_, err = r.cli.ContainerRestart(ctx, "c1", client.ContainerRestartOptions{})
			} else {
				_, err = r.cli.ContainerStop(ctx, "c1", client.ContainerStopOptions{})
			}
			if err != nil {
				t.Fatal(err)
			}
			if took := time.Since(start); took < tt.minTime {
				t.Errorf("stopped after %v, before the %v timeout", took, tt.minTime)
			}
			// The reply came after the exit was recorded.
			if code, ok := r.recorded("c1", false); !ok || code != tt.wantCode {
				t.Fatalf("exit = %d, %v; want %d", code, ok, tt.wantCode)
			}
			// The agent's exit report ended the stop: no wait call was
			// needed; a restart asks the function again once stopped.
			restarts, waits := 0, 0
			for _, c := range r.f.Calls() {
				switch c.Op {
				case call.OpContainerRestart:
					restarts++
				case call.OpContainerWait:
					waits++
				}
			}
			if want := map[bool]int{false: 0, true: 2}[tt.restart]; restarts != want {
				t.Errorf("container.restart called %d times, want %d", restarts, want)
			}
			if waits != 0 {
				t.Errorf("container.wait called %d times after the agent reported the exit", waits)
			}
		})
	}
}

func TestKillDeliversSignal(t *testing.T) {
	r := newRig(t, stopAnswer("15", 5))
	r.runAgent(t, "c1", sh(`trap "exit 4" USR1; while :; do sleep 0.05; done`))
	r.waitSession(t, "c1")
	time.Sleep(100 * time.Millisecond)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if _, err := r.cli.ContainerKill(ctx, "c1", client.ContainerKillOptions{Signal: "SIGUSR1"}); err != nil {
		t.Fatal(err)
	}
	if code := r.exitOf(t, "c1", false); code != 4 {
		t.Fatalf("exit = %d, want 4 from the USR1 trap", code)
	}
}

func TestKillWithoutAgentForcesDriver(t *testing.T) {
	r := newRig(t, stopAnswer("15", 5))
	resp, body := doURL(t, "POST", r.edge.URL+"/containers/ghost/kill?signal=TERM", nil)
	if resp.StatusCode != 204 {
		t.Fatalf("%d %s", resp.StatusCode, body)
	}
	calls := r.f.Calls()
	last := calls[len(calls)-1]
	if last.Op != call.OpContainerKill || last.Query.Get(call.QueryForceDriver) != "1" || last.Query.Get("signal") != "15" || last.Var("name") != "ghost" {
		t.Fatalf("last call = %+v", last)
	}
}

func TestTopAndResize(t *testing.T) {
	r := newRig(t, func(_ *rig, c call.Call) call.Reply {
		switch c.Op {
		case call.OpContainerTop:
			return call.Reply{Status: 200, Stream: &call.Stream{Kind: call.StreamTop, Container: "c1", Running: true}}
		case call.OpContainerResize:
			return call.Reply{Status: 200, Stream: &call.Stream{Kind: call.StreamResize, Container: "c1", Height: 41, Width: 101, Running: true}}
		case call.OpContainerAttach:
			return call.Reply{Status: 200, Stream: &call.Stream{Kind: call.StreamAttach, Container: "c1", TTY: true, Stdin: true, Stdout: true, Stderr: true}}
		}
		return call.Reply{Status: 500}
	})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	att, err := r.cli.ContainerAttach(ctx, "c1", client.ContainerAttachOptions{Stream: true, Stdin: true, Stdout: true, Stderr: true})
	if err != nil {
		t.Fatal(err)
	}
	defer att.Close()
	// main waits for a line, prints its terminal size, and waits again,
	// so it is alive whenever a resize reaches it.
	main := sh(`read x; stty size; read y`)
	main.TTY, main.Stdin = true, true
	r.runAgent(t, "c1", main)
	r.waitSession(t, "c1")

	// The session may be up a moment before main has started.
	var top client.ContainerTopResult
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if top, err = r.cli.ContainerTop(ctx, "c1", client.ContainerTopOptions{}); err != nil {
			t.Fatal(err)
		}
		if len(top.Processes) > 0 {
			break
		}
	}
	if len(top.Titles) == 0 || len(top.Processes) == 0 || !strings.Contains(strings.Join(top.Processes[0], " "), "stty size") {
		t.Fatalf("top = %+v", top)
	}
	if _, err := r.cli.ContainerResize(ctx, "c1", client.ContainerResizeOptions{Height: 41, Width: 101}); err != nil {
		t.Fatal(err)
	}
	// The resize travels ahead of this input on the same channel.
	if _, err := io.WriteString(att.Conn, "go\n"); err != nil {
		t.Fatal(err)
	}
	var out []byte
	buf := make([]byte, 256)
	for !bytes.Contains(out, []byte("41 101")) {
		n, err := att.Reader.Read(buf)
		out = append(out, buf[:n]...)
		if err != nil {
			t.Fatalf("terminal size after resize not seen in %q: %v", out, err)
		}
	}
	_, _ = io.WriteString(att.Conn, "bye\n")
	_, _ = io.Copy(io.Discard, att.Reader)
}

func TestArchive(t *testing.T) {
	dir := t.TempDir()
	r := newRig(t, func(_ *rig, c call.Call) call.Reply {
		kind := map[string]call.StreamKind{"GET": call.StreamArchiveGet, "HEAD": call.StreamArchiveStat, "PUT": call.StreamArchivePut}[c.Header.Get(call.MethodHeader)]
		return call.Reply{Status: 200, Stream: &call.Stream{Kind: kind, Container: "c1", Path: c.Query.Get("path"), Running: true}}
	})
	r.runAgent(t, "c1", sh(`exec sleep 30`))
	r.waitSession(t, "c1")
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()

	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	content := []byte("hello archive\n")
	_ = tw.WriteHeader(&tar.Header{Name: "hello.txt", Mode: 0o644, Size: int64(len(content)), Typeflag: tar.TypeReg})
	_, _ = tw.Write(content)
	_ = tw.Close()
	if _, err := r.cli.CopyToContainer(ctx, "c1", client.CopyToContainerOptions{DestinationPath: dir, Content: &buf}); err != nil {
		t.Fatal(err)
	}

	file := filepath.Join(dir, "hello.txt")
	stat, err := r.cli.ContainerStatPath(ctx, "c1", client.ContainerStatPathOptions{Path: file})
	if err != nil {
		t.Fatal(err)
	}
	if stat.Stat.Name != "hello.txt" || stat.Stat.Size != int64(len(content)) {
		t.Fatalf("stat = %+v", stat.Stat)
	}

	got, err := r.cli.CopyFromContainer(ctx, "c1", client.CopyFromContainerOptions{SourcePath: file})
	if err != nil {
		t.Fatal(err)
	}
	defer got.Content.Close()
	tr := tar.NewReader(got.Content)
	hdr, err := tr.Next()
	if err != nil {
		t.Fatal(err)
	}
	data, _ := io.ReadAll(tr)
	if hdr.Name != "hello.txt" || !bytes.Equal(data, content) {
		t.Fatalf("tar entry %q = %q", hdr.Name, data)
	}

	missing := filepath.Join(dir, "nope")
	resp, body := doURL(t, http.MethodGet, r.edge.URL+"/containers/c1/archive?path="+missing, nil)
	if resp.StatusCode != 404 || message(t, body) != "Could not find the file "+missing+" in container c1" {
		t.Fatalf("%d %s", resp.StatusCode, body)
	}
}

func TestAgentStreamsNeedRunningContainer(t *testing.T) {
	r := newRig(t, func(_ *rig, c call.Call) call.Reply {
		return call.Reply{Status: 200, Stream: &call.Stream{Kind: call.StreamTop, Container: "c9"}}
	})
	resp, body := doURL(t, "GET", r.edge.URL+"/containers/c9/top", nil)
	if resp.StatusCode != 409 || message(t, body) != "container c9 is not running" {
		t.Fatalf("%d %s", resp.StatusCode, body)
	}
}
