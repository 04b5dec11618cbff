package e2e

import (
	"strings"
	"time"

	"github.com/sockerless/sockerless/e2e/harness"
)

func lifecycleScenarios() []Scenario {
	return []Scenario{
		{Name: "ps_filters", Steps: []Step{
			{Args: d("run", "-d", "--name", "@name@-run", "--label", "e2e.set=@name@", "@img@", "sleep", "60"), Save: "runid"},
			{Args: d("run", "--name", "@name@-done", "--label", "e2e.set=@name@", "@img@", "true")},
			{Args: d("create", "--name", "@name@-new", "--label", "e2e.set=@name@", "@img@")},
			{Args: d("ps", "--filter", "label=e2e.set=@name@", "--format", "{{.Names}}"), Checks: []Check{Out("@name@-run\n")}},
			{Args: d("ps", "-a", "--filter", "label=e2e.set=@name@", "--format", "{{.Names}}"), Checks: []Check{Out("@name@-new\n@name@-done\n@name@-run\n")}},
			{Args: d("ps", "-a", "--filter", "label=e2e.set=@name@", "--filter", "status=exited", "--format", "{{.Names}} {{.Status}}"), Checks: []Check{OutMatch(`^@name@-done Exited \(0\) .+ ago\n$`)}},
			{Args: d("ps", "-a", "--filter", "label=e2e.set=@name@", "--filter", "status=created", "--format", "{{.Names}}"), Checks: []Check{Out("@name@-new\n")}},
			{Args: d("ps", "-a", "--filter", "label=e2e.set=@name@", "--filter", "status=running", "--format", "{{.Names}} {{.Status}}"), Checks: []Check{OutMatch(`^@name@-run Up .+\n$`)}},
			{Args: d("ps", "-aq", "--filter", "name=@name@-done"), Checks: []Check{OutMatch(`^[0-9a-f]{12}\n$`)}},
			{Args: d("ps", "-a", "--no-trunc", "--filter", "id=@runid@", "--format", "{{.ID}} {{.Names}}"), Checks: []Check{Out("@runid@ @name@-run\n")}},
			{Args: d("ps", "-a", "--filter", "name=@name@", "--format", "{{.Names}}"), Checks: []Check{OutLines(3)}},
			{Args: d("ps", "-a", "--filter", "status=sleeping"), Code: 1, Checks: []Check{ErrContains("nvalid filter")}},
		}},
		{Name: "logs_options", Steps: []Step{
			{Args: d("run", "-d", "--name", "@name@", "@img@", "sh", "-c", "echo one; echo two; echo err >&2; sleep 0.2; echo three")},
			{Args: d("wait", "@name@"), Checks: []Check{Out("0\n")}},
			{Args: d("logs", "@name@"), Checks: []Check{Out("one\ntwo\nthree\n"), ErrContains("err\n")}},
			{Args: d("logs", "--tail", "1", "@name@"), Checks: []Check{Out("three\n")}},
			{Args: d("logs", "--timestamps", "--tail", "1", "@name@"), Checks: []Check{OutMatch(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z three\n$`)}},
			{Args: d("logs", "--since", "2000-01-01T00:00:00Z", "@name@"), Checks: []Check{Out("one\ntwo\nthree\n")}},
			{Args: d("logs", "--since", "9999999999", "@name@"), Checks: []Check{OutEmpty()}},
		}},
		{Name: "logs_follow", Steps: []Step{
			{Args: d("run", "-d", "--name", "@name@", "@img@", "sh", "-c", "echo a; sleep 1; echo b")},
			{Args: d("logs", "-f", "@name@"), Timeout: 30 * time.Second, Checks: []Check{Out("a\nb\n")}},
		}},
		{Name: "stop_delivers_term", Steps: []Step{
			{Args: d("run", "-d", "--name", "@name@", "@img@", "sh", "-c", trapTERM)},
			{Args: d("logs", "@name@"), Until: 10 * time.Second, Checks: []Check{Out("ready\n")}},
			{Args: d("stop", "@name@"), Timeout: 30 * time.Second, Checks: []Check{Out("@name@\n")}},
			{Args: d("inspect", "--format", "{{.State.Status}} {{.State.ExitCode}}", "@name@"), Checks: []Check{Out("exited 7\n")}},
			{Args: d("logs", "@name@"), Checks: []Check{Out("ready\ngot TERM\n")}},
		}},
		{Name: "kill_signals", Steps: []Step{
			{Args: d("run", "-d", "--name", "@name@", "@img@", "sh", "-c", trapTERM)},
			{Args: d("logs", "@name@"), Until: 10 * time.Second, Checks: []Check{Out("ready\n")}},
			{Args: d("kill", "-s", "TERM", "@name@"), Checks: []Check{Out("@name@\n")}},
			{Args: d("wait", "@name@"), Checks: []Check{Out("7\n")}},
			{Args: d("logs", "@name@"), Checks: []Check{Out("ready\ngot TERM\n")}},
			{Args: d("run", "-d", "--name", "@name@-k", "@img@", "sleep", "60")},
			{Args: d("kill", "@name@-k"), Checks: []Check{Out("@name@-k\n")}},
			{Args: d("wait", "@name@-k"), Checks: []Check{Out("137\n")}},
			{Args: d("kill", "@name@-k"), Code: 1, Checks: []Check{ErrContains("is not running")}},
		}},
		{Name: "restart", Steps: []Step{
			{Args: d("run", "-d", "--name", "@name@", "@img@", "sh", "-c", "trap 'exit 0' TERM; echo started; while true; do sleep 0.1; done")},
			{Args: d("logs", "@name@"), Until: 10 * time.Second, Checks: []Check{Out("started\n")}},
			{Args: d("restart", "@name@"), Timeout: 30 * time.Second, Checks: []Check{Out("@name@\n")}},
			{Args: d("logs", "@name@"), Until: 10 * time.Second, Checks: []Check{Out("started\nstarted\n")}},
			{Args: d("inspect", "--format", "{{.State.Status}} {{.State.Running}}", "@name@"), Checks: []Check{Out("running true\n")}},
		}},
		{Name: "rename", Steps: []Step{
			{Args: d("create", "--name", "@name@", "@img@")},
			{Args: d("rename", "@name@", "@name@-renamed"), Checks: []Check{OutEmpty()}},
			{Args: d("inspect", "--format", "{{.Name}}", "@name@-renamed"), Checks: []Check{Out("/@name@-renamed\n")}},
			{Args: d("container", "inspect", "@name@"), Code: 1, Checks: []Check{ErrContains("No such container")}},
		}},
		{Name: "rm_running", Steps: []Step{
			{Args: d("run", "-d", "--name", "@name@", "@img@", "sleep", "60")},
			{Args: d("rm", "@name@"), Code: 1, Checks: []Check{ErrMatch(`(?i)running`)}},
			{Args: d("rm", "-f", "@name@"), Checks: []Check{Out("@name@\n")}},
			{Args: d("ps", "-aq", "--filter", "name=@name@"), Checks: []Check{OutEmpty()}},
		}},
		{Name: "container_prune", Steps: []Step{
			{Args: d("create", "--name", "@name@-a", "--label", "e2e.prune=@name@", "@img@"), Save: "a"},
			{Args: d("run", "--name", "@name@-b", "--label", "e2e.prune=@name@", "@img@", "true")},
			{Args: d("run", "-d", "--name", "@name@-c", "--label", "e2e.prune=@name@", "@img@", "sleep", "60")},
			{Args: d("container", "prune", "-f", "--filter", "label=e2e.prune=@name@"), Checks: []Check{OutContains("Deleted Containers:", "@a@", "Total reclaimed space")}, Shape: ShapeLines},
			{Args: d("ps", "-a", "--filter", "label=e2e.prune=@name@", "--format", "{{.Names}}"), Checks: []Check{Out("@name@-c\n")}},
		}},
		// A pruned container's writable layer is the space reclaimed: the
		// 6 bytes it wrote (docker-py's test_prune_containers).
		{Name: "container_prune_space", Steps: []Step{
			{Args: d("run", "--name", "@name@", "--label", "e2e.prunesize=@name@", "@img@", "sh", "-c", "echo hello > /data.txt")},
			{Args: d("container", "prune", "-f", "--filter", "label=e2e.prunesize=@name@"), Checks: []Check{OutMatch(`Total reclaimed space: 6B\n`)}, Shape: ShapeLines},
		}},
		{Name: "attach", Steps: []Step{
			{Args: d("run", "-d", "--name", "@name@", "@img@", "sh", "-c", "sleep 2; echo late; exit 4")},
			{Args: d("attach", "@name@"), Code: 4, Timeout: 30 * time.Second, Checks: []Check{Out("late\n")}},
		}},
		{Name: "events", Steps: []Step{
			{Do: func(s *Session) harness.Result {
				since := time.Now().Add(-time.Second).Unix()
				if err := s.Start("events", "events", "--since", itoa(since), "--filter", "type=container", "--filter", "container=@name@", "--format", "{{.Type}} {{.Action}}"); err != nil {
					return fail(err.Error())
				}
				time.Sleep(500 * time.Millisecond)
				return harness.Result{}
			}},
			{Args: d("run", "--name", "@name@", "@img@", "true")},
			{Args: d("rm", "@name@"), Checks: []Check{Out("@name@\n")}},
			{Do: func(s *Session) harness.Result {
				out, ok := s.WaitOutput("events", "container destroy", 15*time.Second)
				if !ok {
					return harness.Result{Stdout: out, Stderr: "no destroy event within 15s", Code: 1}
				}
				// Keep the lifecycle lines: engines may add attach or network events.
				var keep []string
				for _, l := range strings.Split(out, "\n") {
					switch l {
					case "container create", "container start", "container die", "container destroy":
						keep = append(keep, l)
					}
				}
				return harness.Result{Stdout: strings.Join(keep, "\n") + "\n"}
			}, Checks: []Check{Out("container create\ncontainer start\ncontainer die\ncontainer destroy\n")}},
		}},
	}
}
