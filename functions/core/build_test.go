package core_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/moby/moby/api/types/image"
	"github.com/sockerless/sockerless/functions/call"
	"github.com/sockerless/sockerless/functions/testing/registrytest"
)

// buildLine is one line of the build stream, as the CLI reads it.
type buildLine struct {
	Stream      string `json:"stream"`
	Error       string `json:"error"`
	ErrorDetail *struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
	} `json:"errorDetail"`
	Aux *struct{ ID string } `json:"aux"`
}

type buildResult struct {
	lines  []buildLine
	text   string // every stream line joined
	id     string // from aux
	failed *buildLine
}

// contextTar makes a build context; files as registrytest.Layer takes them.
func contextTar(t *testing.T, files map[string]string) []byte {
	t.Helper()
	b, err := registrytest.Layer(files)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func (h *harness) build(t *testing.T, files map[string]string, q url.Values) buildResult {
	t.Helper()
	body := h.followBuild(t, h.ok(t, req{op: call.OpBuild, query: q, body: contextTar(t, files)}, http.StatusOK, nil), nil)
	var res buildResult
	dec := json.NewDecoder(bytes.NewReader(body))
	for dec.More() {
		var l buildLine
		if err := dec.Decode(&l); err != nil {
			t.Fatalf("build stream %q: %v", body, err)
		}
		res.lines = append(res.lines, l)
		res.text += l.Stream
		if l.Aux != nil {
			res.id = l.Aux.ID
		}
		if l.ErrorDetail != nil {
			res.failed = &res.lines[len(res.lines)-1]
		}
	}
	return res
}

func TestBuildRunsStepsAndRecordsTheImage(t *testing.T) {
	h := newHarness(t)
	h.importImage(t, "base:1", "ENV PATH=/usr/bin:/bin", `CMD ["sh"]`)
	bundle := string(contextTar(t, map[string]string{"pkg/VERSION": "1.2\n"}))
	dockerfile := `ARG BASE=base:1
FROM $BASE
# comments and continuations
ARG GREETING=hello
ENV APP=/app \
    NAME="the app"
WORKDIR $APP
RUN echo $GREETING > greeting.txt && mkdir -p data/sub && echo "$NAME" > data/name
COPY files/ conf/
COPY top.txt ./
ADD bundle.tar /opt/
RUN rm /etc/hostname
LABEL version=1 "two words"=yes
EXPOSE 8080
USER nobody
ENTRYPOINT ["cat"]
CMD ["greeting.txt"]
`
	files := map[string]string{
		"Dockerfile":      dockerfile,
		"files/a.conf":    "a\n",
		"files/sub/b.txt": "b\n",
		"top.txt":         "top\n",
		"bundle.tar":      bundle,
	}
	res := h.build(t, files, url.Values{"t": {"built:1"}, "buildargs": {`{"GREETING":"hi","UNUSED":"x"}`}, "labels": {`{"from":"query"}`}})
	if res.failed != nil {
		t.Fatalf("build failed: %s\n%s", res.failed.ErrorDetail.Message, res.text)
	}
	for _, want := range []string{"Step 1/15 : ARG BASE=base:1\n", "Step 2/15 : FROM $BASE\n", "Step 15/15 : CMD [\"greeting.txt\"]\n", " ---> " + strings.TrimPrefix(res.id, "sha256:")[:12] + "\n",
		"[Warning] One or more build-args [UNUSED] were not consumed", "Successfully built " + strings.TrimPrefix(res.id, "sha256:")[:12], "Successfully tagged built:1\n"} {
		if !strings.Contains(res.text, want) {
			t.Errorf("stream lacks %q:\n%s", want, res.text)
		}
	}
	var got image.InspectResponse
	h.ok(t, req{op: call.OpImageInspect, vars: name("built:1")}, http.StatusOK, &got)
	if got.ID != res.id {
		t.Errorf("inspect id %s, aux id %s", got.ID, res.id)
	}
	c := got.Config
	checks := map[string][2]any{
		"Env":        {c.Env, []string{"PATH=/usr/bin:/bin", "APP=/app", "NAME=the app"}},
		"WorkingDir": {c.WorkingDir, "/app"},
		"User":       {c.User, "nobody"},
		"Entrypoint": {c.Entrypoint, []string{"cat"}},
		"Cmd":        {c.Cmd, []string{"greeting.txt"}},
		"Labels":     {c.Labels, map[string]string{"version": "1", "two words": "yes", "from": "query"}},
		"Ports":      {len(c.ExposedPorts), 1},
		// The base layer, WORKDIR, two RUNs, two COPYs and ADD.
		"Layers": {len(got.RootFS.Layers), 7},
	}
	for k, gw := range checks {
		if !equalish(gw[0], gw[1]) {
			t.Errorf("%s = %v, want %v", k, gw[0], gw[1])
		}
	}
	var hist []image.HistoryResponseItem
	h.ok(t, req{op: call.OpImageHistory, vars: name("built:1")}, http.StatusOK, &hist)
	if len(hist) != 1+13 {
		t.Errorf("history has %d entries, want 14 (the base's and one per step after FROM)", len(hist))
	}

	// A second build reads the first one's files back.
	check := "FROM built:1\nUSER root\n" +
		"RUN cat /app/greeting.txt /app/data/name /app/conf/a.conf /app/conf/sub/b.txt /app/top.txt /opt/pkg/VERSION\n" +
		"RUN if test -e /etc/hostname; then echo hostname still there; else echo hostname gone; fi\n" +
		"RUN echo $GREETING-unset; pwd\n" +
		"RUN echo to stderr >&2\n"
	res2 := h.build(t, map[string]string{"Dockerfile": check}, nil)
	if res2.failed != nil {
		t.Fatalf("check build failed: %s\n%s", res2.failed.ErrorDetail.Message, res2.text)
	}
	for _, want := range []string{"hi\nthe app\na\nb\ntop\n1.2\n", "hostname gone\n", "-unset\n/app\n"} {
		if !strings.Contains(res2.text, want) {
			t.Errorf("check build output lacks %q:\n%s", want, res2.text)
		}
	}
	// A RUN's stderr comes in red, as dockerd's builder sends it.
	if !slices.ContainsFunc(res2.lines, func(l buildLine) bool { return l.Stream == "\x1b[91mto stderr\n\x1b[0m" }) {
		t.Errorf("no stream line is the RUN's stderr in red:\n%q", res2.text)
	}
}

func TestBuildFromScratchCopiesFiles(t *testing.T) {
	h := newHarness(t)
	res := h.build(t, map[string]string{
		"Dockerfile": "FROM scratch\nCOPY *.txt /data/\nCOPY one.txt /renamed\nCMD [\"x\"]\n",
		"one.txt":    "1", "two.txt": "2", "skip.md": "no",
	}, url.Values{"t": {"fromscratch"}, "q": {"1"}})
	if res.failed != nil {
		t.Fatalf("build failed: %s", res.failed.ErrorDetail.Message)
	}
	if res.text != res.id+"\n" {
		t.Errorf("quiet build printed %q, want only the id %s", res.text, res.id)
	}
	var got image.InspectResponse
	h.ok(t, req{op: call.OpImageInspect, vars: name("fromscratch")}, http.StatusOK, &got)
	if len(got.RootFS.Layers) != 2 || !slices.Equal(got.Config.Cmd, []string{"x"}) {
		t.Errorf("rootfs %v cmd %v", got.RootFS.Layers, got.Config.Cmd)
	}
	check := h.build(t, map[string]string{"Dockerfile": "FROM fromscratch\nRUN [\"cat\", \"/data/one.txt\", \"/data/two.txt\", \"/renamed\"]\nRUN ls /data\n"}, nil)
	if check.failed != nil || !strings.Contains(check.text, "121") || !strings.Contains(check.text, "one.txt\ntwo.txt\n") {
		t.Errorf("check build: %+v\n%s", check.failed, check.text)
	}
}

func TestBuildFailuresRecordNothing(t *testing.T) {
	h := newHarness(t)
	h.importImage(t, "base:1")
	count := func() int {
		var imgs []image.Summary
		h.ok(t, req{op: call.OpImageList, query: url.Values{"all": {"1"}}}, http.StatusOK, &imgs)
		return len(imgs)
	}
	before := count()
	streamed := []struct {
		name, dockerfile string
		code             int
		msg              string
	}{
		{"failing RUN", "FROM base:1\nRUN echo partial > /f\nRUN false\n", 1, "The command '/bin/sh -c false' returned a non-zero code: 1"},
		{"exit code kept", "FROM base:1\nRUN [\"sh\", \"-c\", \"exit 3\"]\n", 3, "The command 'sh -c exit 3' returned a non-zero code: 3"},
		{"missing source", "FROM base:1\nCOPY nosuch /x\n", 1, "COPY failed: file not found in build context or excluded by .dockerignore: stat nosuch: file does not exist"},
		{"missing base", "FROM nosuch:1\n", 1, ""},
		{"copy from a missing path", "FROM base:1 AS a\nFROM base:1\nCOPY --from=a /nosuch /x\n", 1, ""},
		{"several sources into a file", "FROM base:1\nCOPY Dockerfile Dockerfile /x\n", 1, "dockerfile line 2: When using COPY with more than one source file, the destination must be a directory and end with a /"},
	}
	for _, tt := range streamed {
		t.Run(tt.name, func(t *testing.T) {
			res := h.build(t, map[string]string{"Dockerfile": tt.dockerfile}, url.Values{"t": {"broken:1"}})
			if res.failed == nil {
				t.Fatalf("build succeeded:\n%s", res.text)
			}
			d := res.failed.ErrorDetail
			if d.Code != tt.code || (tt.msg != "" && d.Message != tt.msg) || res.failed.Error != d.Message {
				t.Errorf("error %d %q (error %q), want %d %q", d.Code, d.Message, res.failed.Error, tt.code, tt.msg)
			}
			if res.id != "" {
				t.Errorf("a failed build reported image %s", res.id)
			}
		})
	}
	refused := []struct {
		name, dockerfile string
		query            url.Values
		status           int
		msg              string
	}{
		{"unknown instruction", "FROM base:1\nFOO bar\n", nil, 400, "dockerfile parse error on line 2: unknown instruction: FOO"},
		{"unknown target", "FROM base:1 AS a\n", url.Values{"target": {"b"}}, 400, "failed to reach build target b in Dockerfile"},
		{"BuildKit's RUN --mount", "FROM base:1\nRUN --mount=type=cache,target=/c true\n", nil, 501, "dockerfile line 2: RUN --mount needs BuildKit, which this builder is not"},
		{"empty", "# nothing\n", nil, 400, "the Dockerfile (Dockerfile) cannot be empty"},
		{"duplicate stage", "FROM base:1 AS a\nFROM base:1 AS A\n", nil, 400, "dockerfile line 2: duplicate name a"},
		{"no FROM", "RUN true\n", nil, 400, "dockerfile line 1: RUN comes before FROM: only ARG may"},
		{"other Dockerfile missing", "FROM base:1\n", url.Values{"dockerfile": {"build/Dockerfile.dev"}}, 400, "Cannot locate specified Dockerfile: build/Dockerfile.dev"},
	}
	for _, tt := range refused {
		t.Run(tt.name, func(t *testing.T) {
			rep := h.do(t, req{op: call.OpBuild, query: tt.query, body: contextTar(t, map[string]string{"Dockerfile": tt.dockerfile})})
			wantError(t, rep, tt.status, tt.msg)
		})
	}
	if after := count(); after != before {
		t.Errorf("%d images after failed builds, %d before", after, before)
	}
	rep := h.do(t, req{op: call.OpImageInspect, vars: name("broken:1")})
	wantError(t, rep, http.StatusNotFound, "No such image: broken:1")
}

func TestBuildMetadataFromAPlainDockerfile(t *testing.T) {
	h := newHarness(t)
	h.importImage(t, "base:1", `CMD ["inherited"]`)
	// `docker build - < Dockerfile` sends the Dockerfile, not a tar.
	df := "FROM base:1\n" +
		"SHELL [\"/bin/sh\", \"-e\", \"-c\"]\n" +
		"RUN echo shell is $0\n" +
		"ENTRYPOINT echo from entrypoint\n" +
		"HEALTHCHECK --interval=5s --retries=2 CMD [\"true\"]\n" +
		"ONBUILD RUN echo child\n" +
		"STOPSIGNAL SIGUSR1\n" +
		"VOLUME /data [\"/not-json\"]\n"
	body := h.followBuild(t, h.ok(t, req{op: call.OpBuild, query: url.Values{"t": {"meta:1"}}, body: []byte(df)}, http.StatusOK, nil), nil)
	if !bytes.Contains(body, []byte(`shell is /bin/sh`)) || bytes.Contains(body, []byte("errorDetail")) {
		t.Fatalf("build stream:\n%s", body)
	}
	var got image.InspectResponse
	h.ok(t, req{op: call.OpImageInspect, vars: name("meta:1")}, http.StatusOK, &got)
	c := got.Config
	checks := map[string][2]any{
		"Entrypoint":  {c.Entrypoint, []string{"/bin/sh", "-e", "-c", "echo from entrypoint"}},
		"Cmd":         {c.Cmd, []string(nil)},
		"Healthcheck": {c.Healthcheck.Test, []string{"CMD", "true"}},
		"Interval":    {c.Healthcheck.Interval.String() + "/" + string(rune('0'+c.Healthcheck.Retries)), "5s/2"},
		"OnBuild":     {c.OnBuild, []string{"RUN echo child"}},
		"StopSignal":  {c.StopSignal, "SIGUSR1"},
		"Volumes":     {len(c.Volumes), 2},
		"Shell":       {c.Shell, []string{"/bin/sh", "-e", "-c"}},
	}
	for k, gw := range checks {
		if !equalish(gw[0], gw[1]) {
			t.Errorf("%s = %v, want %v", k, gw[0], gw[1])
		}
	}
	// Triggers are kept, not run: a child build says so rather than
	// skipping them.
	res := h.build(t, map[string]string{"Dockerfile": "FROM meta:1\n"}, nil)
	if res.failed == nil || !strings.Contains(res.failed.ErrorDetail.Message, "ONBUILD triggers") {
		t.Errorf("child of an ONBUILD image: %+v\n%s", res.failed, res.text)
	}
}

func TestBuildMultiStage(t *testing.T) {
	h := newHarness(t)
	h.importImage(t, "base:1")
	df := `ARG TOOL=app
FROM base:1 AS build
ARG TOOL
RUN mkdir -p /out/bin && echo artifact > /out/bin/$TOOL && echo other > /out/other.txt
FROM scratch AS empty
FROM build AS extended
RUN echo extended >> /out/bin/app
FROM base:1
COPY --from=build /out/bin/ /usr/local/bin/
COPY --from=extended /out/bin/app /app-extended
COPY --from=0 /out/*.txt /txt/
COPY --from=base:1 /etc/passwd /passwd-copy
`
	var before []image.Summary
	h.ok(t, req{op: call.OpImageList, query: url.Values{"all": {"1"}}}, http.StatusOK, &before)
	res := h.build(t, map[string]string{"Dockerfile": df}, url.Values{"t": {"final:1"}})
	if res.failed != nil {
		t.Fatalf("build failed: %s\n%s", res.failed.ErrorDetail.Message, res.text)
	}
	var after []image.Summary
	h.ok(t, req{op: call.OpImageList, query: url.Values{"all": {"1"}}}, http.StatusOK, &after)
	if len(after) != len(before)+1 {
		t.Errorf("%d images after the build, %d before: stages must not be recorded", len(after), len(before))
	}
	check := h.build(t, map[string]string{"Dockerfile": "FROM final:1\nRUN cat /usr/local/bin/app /app-extended /txt/other.txt && test -f /passwd-copy && test ! -e /out && echo ok\n"}, nil)
	if check.failed != nil || !strings.Contains(check.text, "artifact\nartifact\nextended\nother\nok\n") {
		t.Errorf("check build: %+v\n%s", check.failed, check.text)
	}

	res = h.build(t, map[string]string{"Dockerfile": df}, url.Values{"t": {"target:1"}, "target": {"build"}})
	if res.failed != nil || strings.Contains(res.text, "FROM scratch") {
		t.Fatalf("--target build: %+v\n%s", res.failed, res.text)
	}
	var got image.InspectResponse
	h.ok(t, req{op: call.OpImageInspect, vars: name("target:1")}, http.StatusOK, &got)
	if len(got.RootFS.Layers) != 2 {
		t.Errorf("--target=build image has %d layers, want the base's and its RUN's", len(got.RootFS.Layers))
	}
}

func TestBuildLayersKeepDeletionsAndReplacedDirectories(t *testing.T) {
	h := newHarness(t)
	h.importImage(t, "base:1")
	res := h.build(t, map[string]string{"Dockerfile": "FROM base:1\n" +
		"RUN rm -r /etc && mkdir /etc && echo new > /etc/only\n" +
		"RUN mkdir /gone && echo x > /gone/f\n" +
		"RUN rm -r /gone /home\n"}, url.Values{"t": {"layers:1"}})
	if res.failed != nil {
		t.Fatalf("build failed: %s\n%s", res.failed.ErrorDetail.Message, res.text)
	}
	// A later build sees the layers applied in order, as a pull would.
	check := h.build(t, map[string]string{"Dockerfile": "FROM layers:1\nRUN ls /etc; ls / | grep -c -e gone -e home || true\n"}, nil)
	if check.failed != nil || !strings.Contains(check.text, "only\n0\n") {
		t.Errorf("check build: %+v\n%s", check.failed, check.text)
	}
}

// The context's .dockerignore applies to what COPY and ADD see, the
// Dockerfile and .dockerignore included (a client such as docker-py
// sends both whatever it says), exceptions and all.
func TestBuildDockerignore(t *testing.T) {
	h := newHarness(t)
	h.importImage(t, "base:1")
	res := h.build(t, map[string]string{
		"Dockerfile":                   "FROM base:1\nADD . /test\nRUN find /test -type f | sort\n",
		".dockerignore":                "ignored\nDockerfile\n.dockerignore\n ignored-with-spaces \n!ignored/subdir/excepted-file\n#*\n",
		"not-ignored":                  "x",
		"#file.txt":                    "x",
		"ignored-with-spaces":          "x",
		"ignored/subdir/file":          "x",
		"ignored/subdir/excepted-file": "x",
	}, nil)
	if res.failed != nil {
		t.Fatalf("build failed: %s\n%s", res.failed.ErrorDetail.Message, res.text)
	}
	want := "/test/#file.txt\n/test/ignored/subdir/excepted-file\n/test/not-ignored\n"
	if !strings.Contains(res.text, want) {
		t.Errorf("the image's /test holds:\n%s\nwant exactly:\n%s", res.text, want)
	}
}
