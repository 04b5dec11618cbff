package e2e

import (
	"testing"
)

// buildDockerfile exercises the legacy builder's common steps: RUN with
// redirects, COPY, ENV, WORKDIR and CMD.
const buildDockerfile = `FROM ` + TestImage + `
# a comment, and a continued line
RUN echo built > /built.txt && \
    mkdir -p /srv/data && echo "redirected" > /srv/data/out.txt
COPY hello.txt /srv/
ENV GREETING=hi
WORKDIR /srv
CMD ["sh", "-c", "cat /built.txt data/out.txt hello.txt; echo $GREETING; pwd"]
`

// buildScenario builds (one stage and two) with the real docker CLI, which falls back to
// POST /build (the legacy builder) when buildx is missing, and runs the
// result. It runs on every engine here, dockerd's legacy builder
// included, so both must give the same answers.
func buildScenario() Scenario {
	return Scenario{Name: "build_and_run", Steps: []Step{
		{Do: writeFile("Dockerfile", buildDockerfile)},
		{Do: writeFile("hello.txt", "hello\n")},
		{Do: writeFile("Dockerfile.fail", "FROM "+TestImage+"\nRUN echo before\nRUN false\n")},
		{Do: writeFile("Dockerfile.multi", "FROM "+TestImage+" AS build\nRUN echo compiled > /artifact\n"+
			"FROM "+TestImage+"\nCOPY --from=build /artifact /srv/artifact\nCMD [\"cat\", \"/srv/artifact\"]\n")},
		{Args: d("build", "-t", "@name@/built:1", "@dir@"), Timeout: timeoutPull, Checks: []Check{
			OutContains("Step 1/6 : FROM "+TestImage, "Step 6/6 : CMD", "Successfully built ", "Successfully tagged @name@/built:1"),
		}, Shape: ShapeCode},
		{Args: d("run", "--rm", "@name@/built:1"), Checks: []Check{Out("built\nredirected\nhello\nhi\n/srv\n")}},
		{Args: d("image", "inspect", "--format", "{{.Config.WorkingDir}} {{json .Config.Cmd}}", "@name@/built:1"),
			Checks: []Check{Out(`/srv ["sh","-c","cat /built.txt data/out.txt hello.txt; echo $GREETING; pwd"]` + "\n")}},
		{Args: d("build", "-q", "-t", "@name@/built:2", "@dir@"), Timeout: timeoutPull, Checks: []Check{OutMatch(`^sha256:[0-9a-f]{64}\n$`)}, Shape: ShapeCode},
		// --force-rm: dockerd keeps a failed step's container otherwise,
		// and the image under it could not be pruned by later scenarios.
		{Args: d("build", "--force-rm", "-f", "@dir@/Dockerfile.fail", "-t", "@name@/failed:1", "@dir@"), Timeout: timeoutPull, Code: 1, Checks: []Check{
			OutContains("before\n"), ErrContains("The command '/bin/sh -c false' returned a non-zero code: 1"),
		}, Shape: ShapeCode},
		{Args: d("image", "inspect", "@name@/failed:1"), Code: 1, Checks: []Check{ErrContains("No such image")}},
		{Args: d("build", "-f", "@dir@/Dockerfile.multi", "-t", "@name@/multi:1", "@dir@"), Timeout: timeoutPull, Checks: []Check{
			OutContains("Step 5/5 : CMD", "Successfully tagged @name@/multi:1"),
		}, Shape: ShapeCode},
		{Args: d("run", "--rm", "@name@/multi:1"), Checks: []Check{Out("compiled\n")}},
	}}
}

func TestBuild(t *testing.T) {
	sc := buildScenario()
	for _, sl := range engines {
		t.Run(sl.name, func(t *testing.T) {
			e := sl.use(t)
			runScenario(t, e, sc)
		})
	}
}
