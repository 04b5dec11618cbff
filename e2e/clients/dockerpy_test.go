package clients

import (
	"strings"
	"testing"
	"time"
)

// dockerPyRunTimeout bounds one target's run of the suite (about 3
// minutes on dockerd; each hang costs dockerPyTestTimeout).
const dockerPyRunTimeout = 15 * time.Minute

// TestDockerPy runs docker-py's integration suite (swarm, services,
// secrets, configs, nodes and plugins aside: dockerPyExcluded) against
// each target, dockerd first, and prints `docker-py <target>: N passed, M
// failed, K errors`, with the tests that pass on dockerd and not on a
// Sockerless runtime. Those are logged, not failed: the suite is the
// list of Docker's behaviours still to match (issue 13).
func TestDockerPy(t *testing.T) {
	dir, err := FindDockerPy()
	if err != nil {
		t.Skip(err)
	}
	var ref *DockerPyResult
	for _, tg := range dockerdFirst(targets) {
		t.Run(tg.name, func(t *testing.T) {
			e := tg.use(t)
			if err := TagDockerPyImages(e, TestImage); err != nil {
				t.Fatal(err)
			}
			res, out, err := RunDockerPy(dir, e.Host, t.TempDir(), dockerPyRunTimeout)
			if err != nil {
				t.Fatalf("%v\npytest's output (tail):\n%s", err, strings.Join(tail(strings.Split(out, "\n"), 60), "\n"))
			}
			report("docker-py %s: %d passed, %d failed, %d errors", tg.name, res.Count("passed"), res.Count("failed"), res.Count("error"))
			if tg.name == "dockerd" {
				ref = &res
				return
			}
			if ref == nil {
				return
			}
			if gaps := res.Regressions(*ref); len(gaps) > 0 {
				t.Logf("%d tests pass on dockerd and not on %s:\n%s", len(gaps), tg.name, strings.Join(gaps, "\n"))
			}
		})
	}
}

// dockerdFirst orders ts with the reference first, so each runtime's run
// can be compared with it.
func dockerdFirst(ts []*target) []*target {
	out := make([]*target, 0, len(ts))
	for _, tg := range ts {
		if tg.name == "dockerd" {
			out = append(out, tg)
		}
	}
	for _, tg := range ts {
		if tg.name != "dockerd" {
			out = append(out, tg)
		}
	}
	return out
}
