package localmode

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/jsonstream"
	"github.com/moby/moby/client"
	"github.com/sockerless/sockerless/functions/testing/registrytest"
)

// testEngineBuild builds Dockerfiles on the engine runtime and runs
// what they made. host is the engine, to see the build left nothing.
func testEngineBuild(t *testing.T, ctx context.Context, cli *client.Client, host string) {
	tests := []struct {
		name       string
		dockerfile string
		files      map[string]string
		// stream must appear in the progress; run is the built image's
		// output; code is the failing RUN's exit code.
		stream []string
		run    string
		layers int
		code   int
		// images is how many images the build leaves in the engine: its
		// own, and the empty one FROM scratch makes once; never the
		// intermediate ones.
		images int
	}{
		{
			name: "run copy env workdir cmd",
			dockerfile: `FROM bb:1
ENV GREETING=hello
WORKDIR /app/sub
COPY msg.txt .
COPY dir/ /data/
RUN echo "$GREETING from run" && cat msg.txt > out.txt && echo built >> out.txt && rm /etc/group
CMD ["sh", "-c", "cat /app/sub/out.txt /data/inner.txt; echo $GREETING; pwd; test -e /etc/group || echo no group"]
`,
			files:  map[string]string{"msg.txt": "from the context\n", "dir/inner.txt": "inner\n"},
			stream: []string{"Step 6/7 : RUN", "hello from run\n", "Successfully built", "Successfully tagged engine-built:1"},
			run:    "from the context\nbuilt\ninner\nhello\n/app/sub\nno group\n",
			layers: 5, // bb:1's, WORKDIR, COPY, COPY, RUN
			images: 1,
		},
		{
			name:       "scratch with copy from a stage",
			dockerfile: "FROM bb:1 AS tools\nRUN echo staged > /tmp/staged\nFROM scratch\nCOPY --from=tools /bin/busybox /bin/sh\nCOPY --from=tools /tmp/staged /\nCMD [\"/bin/sh\", \"-c\", \"read l < /staged; echo $l\"]\n",
			stream:     []string{"Successfully built"},
			run:        "staged\n",
			layers:     2,
			images:     2,
		},
		{
			name:       "scratch config only",
			dockerfile: "FROM scratch\nLABEL only=config\n",
			stream:     []string{"Successfully built"},
			images:     1,
		},
		{
			name:       "from an earlier stage",
			dockerfile: "FROM bb:1 AS base\nRUN echo one > /one\nFROM base\nRUN cat /one /one > /two\nCMD [\"cat\", \"/two\"]\n",
			stream:     []string{"Successfully built"},
			run:        "one\none\n",
			layers:     3,
			images:     1,
		},
		{
			name:       "failing run",
			dockerfile: "FROM bb:1\nRUN echo ok > /ok\nRUN echo failing && exit 7\n",
			stream:     []string{"failing\n", "returned a non-zero code: 7"},
			code:       7,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files := map[string]string{"Dockerfile": tt.dockerfile}
			for k, v := range tt.files {
				files[k] = v
			}
			tarball, err := registrytest.Layer(files)
			if err != nil {
				t.Fatal(err)
			}
			eng, err := client.New(client.WithHost(host), client.WithAPIVersionNegotiation())
			if err != nil {
				t.Fatal(err)
			}
			defer eng.Close()
			before := engineImages(t, eng)
			res, err := cli.ImageBuild(ctx, strings.NewReader(string(tarball)), client.ImageBuildOptions{Tags: []string{"engine-built:1"}, Remove: true})
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			var all strings.Builder
			code := 0
			dec := json.NewDecoder(res.Body)
			for {
				var m jsonstream.Message
				if err := dec.Decode(&m); errors.Is(err, io.EOF) {
					break
				} else if err != nil {
					t.Fatal(err)
				}
				all.WriteString(m.Stream)
				if m.Error != nil {
					code = m.Error.Code
					all.WriteString(m.Error.Message)
				}
			}
			for _, s := range tt.stream {
				if !strings.Contains(all.String(), s) {
					t.Errorf("build stream lacks %q:\n%s", s, all.String())
				}
			}
			if code != tt.code {
				t.Fatalf("build error code %d, want %d:\n%s", code, tt.code, all.String())
			}
			if n := engineImages(t, eng) - before; n != tt.images {
				t.Errorf("the build left %d images in the engine, want %d", n, tt.images)
			}
			if tt.code == 0 && tt.run != "" {
				insp, err := cli.ImageInspect(ctx, "engine-built:1")
				if err != nil {
					t.Fatal(err)
				}
				if len(insp.RootFS.Layers) != tt.layers || len(saveLayers(t, cli, "engine-built:1")) != tt.layers {
					t.Errorf("built image has layers %v, want %d", insp.RootFS.Layers, tt.layers)
				}
				exit, stdout, stderr := runToExit(t, cli, &container.Config{Image: "engine-built:1"})
				if exit != 0 || stdout != tt.run {
					t.Errorf("run the built image: exit %d stdout %q stderr %q, want %q", exit, stdout, stderr, tt.run)
				}
			}
			list, err := eng.ContainerList(ctx, client.ContainerListOptions{All: true, Filters: make(client.Filters).Add("label", "sockerless.build")})
			if err != nil {
				t.Fatal(err)
			}
			if len(list.Items) != 0 {
				t.Errorf("build containers left in the engine: %+v", list.Items)
			}
		})
	}
}

// testEngineBuildStreams checks a RUN's output reaches the client as
// the process writes it, not when the build ends.
func testEngineBuildStreams(t *testing.T, ctx context.Context, cli *client.Client) {
	msgs, _ := startBuild(t, ctx, cli, "FROM bb:1\nRUN echo first && sleep 1 && echo second\n", "engine-streamed:1")
	var first, second time.Duration
	for m := range msgs {
		switch {
		case m.Error != "":
			t.Fatalf("build failed: %s", m.Error)
		case m.Stream == "first\n":
			first = m.at
		case m.Stream == "second\n":
			second = m.at
		}
	}
	if first == 0 || second-first < 700*time.Millisecond {
		t.Fatalf("first at %v, second at %v: the RUN's output must arrive as it is written", first, second)
	}
}

func engineImages(t *testing.T, eng *client.Client) int {
	t.Helper()
	list, err := eng.ImageList(context.Background(), client.ImageListOptions{All: true})
	if err != nil {
		t.Fatal(err)
	}
	return len(list.Items)
}
