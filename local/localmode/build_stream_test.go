package localmode

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/moby/moby/client"
	"github.com/sockerless/sockerless/functions/testing/registrytest"
)

// buildMsg is one message of the build stream, with when it arrived.
type buildMsg struct {
	Stream string `json:"stream"`
	Error  string `json:"error"`
	at     time.Duration
}

// startBuild sends a build through the edge and decodes its stream as
// it arrives, message by message, onto the returned channel.
func startBuild(t *testing.T, ctx context.Context, cli *client.Client, dockerfile, tag string) (<-chan buildMsg, time.Time) {
	t.Helper()
	tarball, err := registrytest.Layer(map[string]string{"Dockerfile": dockerfile})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	res, err := cli.ImageBuild(ctx, strings.NewReader(string(tarball)), client.ImageBuildOptions{Tags: []string{tag}, Remove: true})
	if err != nil {
		t.Fatal(err)
	}
	msgs := make(chan buildMsg)
	go func() {
		defer close(msgs)
		defer res.Body.Close()
		dec := json.NewDecoder(res.Body)
		for {
			var m buildMsg
			if err := dec.Decode(&m); err != nil {
				if !errors.Is(err, io.EOF) && ctx.Err() == nil {
					t.Errorf("build stream: %v", err)
				}
				return
			}
			m.at = time.Since(start)
			msgs <- m
		}
	}()
	return msgs, start
}

func TestBuildProgressStreamsThroughTheEdge(t *testing.T) {
	_, cli := start(t, t.TempDir())
	ref := pushTestImage(t)
	pull(t, cli, ref)
	msgs, start := startBuild(t, t.Context(), cli, "FROM "+ref+"\nRUN echo first && sleep 2 && echo second\n", "streamed:1")
	var step, first, second, built time.Duration
	for m := range msgs {
		switch {
		case m.Error != "":
			t.Fatalf("build failed: %s", m.Error)
		case strings.HasPrefix(m.Stream, "Step 2/2 : RUN"):
			step = m.at
		case m.Stream == "first\n":
			first = m.at
		case m.Stream == "second\n":
			second = m.at
		case strings.HasPrefix(m.Stream, "Successfully tagged streamed:1"):
			built = m.at
		}
	}
	total := time.Since(start)
	if step == 0 || first == 0 || second == 0 || built == 0 {
		t.Fatalf("stream lacks a message: step %v, first %v, second %v, tagged %v", step, first, second, built)
	}
	// The sleep separates the two lines by 2s; a stream delivered at
	// the end would bring them together.
	if second-first < 1500*time.Millisecond || step > first {
		t.Errorf("step header at %v, first at %v, second at %v, build took %v: output must arrive as it is written", step, first, second, total)
	}
}

func TestBuildStopsWhenTheClientLeaves(t *testing.T) {
	inst, cli := start(t, t.TempDir())
	ref := pushTestImage(t)
	pull(t, cli, ref)
	ctx, cancel := context.WithCancel(t.Context())
	msgs, _ := startBuild(t, ctx, cli, "FROM "+ref+"\nRUN echo started && sleep 60\n", "abandoned:1")
	for m := range msgs {
		if m.Stream == "started\n" {
			break
		}
	}
	if n := inst.Function.Driver.RunningBuilds(); n != 1 {
		t.Fatalf("%d builds running while the client reads, want 1", n)
	}
	cancel() // Ctrl-C
	for range msgs {
	}
	deadline := time.Now().Add(10 * time.Second)
	for inst.Function.Driver.RunningBuilds() != 0 {
		if time.Now().After(deadline) {
			t.Fatal("the build still runs 10s after its client left")
		}
		time.Sleep(50 * time.Millisecond)
	}
	if _, err := cli.ImageInspect(t.Context(), "abandoned:1"); err == nil {
		t.Error("an abandoned build tagged its image")
	}
}
