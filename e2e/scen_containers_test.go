package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/moby/moby/api/types/container"
	"github.com/sockerless/sockerless/e2e/harness"
)

const (
	timeoutPull = 2 * time.Minute
	// trapTERM is a container script that proves a signal arrives: it says
	// ready once the trap is set and exits 7 on TERM.
	trapTERM = "trap 'echo got TERM; exit 7' TERM; echo ready; while true; do sleep 0.1; done"
)

func containerScenarios() []Scenario {
	return []Scenario{
		{Name: "run_foreground", Steps: []Step{
			{Args: d("run", "--rm", "@img@", "echo", "hello", "world"), Checks: []Check{Out("hello world\n")}},
			{Args: d("run", "--rm", "@img@", "sh", "-c", "echo out; echo err >&2"), Checks: []Check{Out("out\n"), ErrContains("err\n")}},
		}},
		{Name: "run_exit_code", Steps: []Step{
			{Args: d("run", "--rm", "@img@", "sh", "-c", "exit 3"), Code: 3, Checks: []Check{OutEmpty()}},
			{Args: d("run", "--rm", "@img@", "false"), Code: 1},
		}},
		{Name: "run_detached", Steps: []Step{
			{Args: d("run", "-d", "--name", "@name@", "@img@", "sh", "-c", "echo bg"), Checks: []Check{OutMatch(`^[0-9a-f]{64}\n$`)}, Save: "cid"},
			{Args: d("wait", "@name@"), Checks: []Check{Out("0\n")}},
			{Args: d("logs", "@name@"), Checks: []Check{Out("bg\n")}},
			{Args: d("inspect", "--format", "{{.Id}}", "@name@"), Checks: []Check{Out("@cid@\n")}},
		}},
		{Name: "run_rm_removes", Steps: []Step{
			{Args: d("run", "--rm", "--name", "@name@", "@img@", "true"), Checks: []Check{OutEmpty()}},
			{Args: d("ps", "-aq", "--filter", "name=@name@"), Checks: []Check{OutEmpty()}, Until: 5 * time.Second},
		}},
		{Name: "run_interactive_stdin", Steps: []Step{
			{Args: d("run", "--rm", "-i", "@img@", "cat"), Stdin: "line one\nline two\n", Checks: []Check{Out("line one\nline two\n")}},
			{Args: d("run", "--rm", "-i", "@img@", "wc", "-l"), Stdin: "a\nb\nc\n", Checks: []Check{OutMatch(`^\s*3\n$`)}},
		}},
		{Name: "run_tty", Steps: []Step{
			{Args: d("run", "--rm", "-t", "@img@", "echo", "tty"), Checks: []Check{Out("tty\r\n")}},
		}},
		{Name: "run_env_workdir", Steps: []Step{
			{Args: d("run", "--rm", "-e", "FOO=bar", "-e", "EMPTY=", "-w", "/tmp", "@img@", "sh", "-c", `echo "$FOO|$EMPTY|$(pwd)"`), Checks: []Check{Out("bar||/tmp\n")}},
			{Args: d("run", "--rm", "-w", "/made/by/run", "@img@", "pwd"), Checks: []Check{Out("/made/by/run\n")}},
			{Args: d("run", "--rm", "@img@", "sh", "-c", `echo "PATH=$PATH"`), Checks: []Check{Out("PATH=" + harness.ImagePath + "\n")}},
		}},
		{Name: "run_name_conflict", Steps: []Step{
			{Args: d("run", "--name", "@name@", "@img@", "true")},
			{Args: d("inspect", "--format", "{{.Name}}", "@name@"), Checks: []Check{Out("/@name@\n")}},
			{Args: d("run", "--name", "@name@", "@img@", "true"), Code: 125, Checks: []Check{ErrContains("is already in use")}},
		}},
		{Name: "run_entrypoint", Steps: []Step{
			{Args: d("run", "--rm", "--entrypoint", "echo", "@img@", "a", "b"), Checks: []Check{Out("a b\n")}},
			{Args: d("run", "--rm", "--entrypoint", "pwd", "@img@"), Checks: []Check{Out("/\n")}},
		}},
		{Name: "run_named_volume", Steps: []Step{
			{Args: d("volume", "create", "@name@-vol"), Checks: []Check{Out("@name@-vol\n")}},
			{Args: d("run", "--rm", "-v", "@name@-vol:/data", "@img@", "sh", "-c", "echo kept > /data/f")},
			{Args: d("run", "--rm", "-v", "@name@-vol:/data", "@img@", "cat", "/data/f"), Checks: []Check{Out("kept\n")}},
			{Args: d("run", "--rm", "-v", "@name@-vol:/data:ro", "@img@", "sh", "-c", "echo x > /data/g"), Code: 1},
			{Args: d("run", "--rm", "-v", "@name@-auto:/data", "@img@", "ls", "/data"), Checks: []Check{OutEmpty()}},
			{Args: d("volume", "ls", "-q", "--filter", "name=@name@-auto"), Checks: []Check{Out("@name@-auto\n")}},
		}},
		{Name: "run_bind_mount", Steps: []Step{
			{Do: writeFile("in.txt", "from host\n")},
			{Args: d("run", "--rm", "-v", "@dir@:/host", "@img@", "sh", "-c", "cat /host/in.txt; echo from container > /host/out.txt")},
			{Do: readFile("out.txt"), Checks: []Check{Out("from container\n")}},
			{Args: d("run", "--rm", "-v", "@dir@:/host:ro", "@img@", "sh", "-c", "echo x > /host/ro.txt"), Code: 1},
		}},
		{Name: "run_label", Steps: []Step{
			{Args: d("run", "-d", "--name", "@name@", "--label", "e2e.scenario=@name@", "@img@", "true")},
			{Args: d("inspect", "--format", `{{index .Config.Labels "e2e.scenario"}}`, "@name@"), Checks: []Check{Out("@name@\n")}},
			{Args: d("ps", "-a", "--filter", "label=e2e.scenario=@name@", "--format", "{{.Names}}"), Checks: []Check{Out("@name@\n")}},
		}},
		{Name: "run_missing_image", Static: true, Steps: []Step{
			{Args: d("run", "--rm", "127.0.0.1:1/e2e/missing:1"), Code: 125, Timeout: timeoutPull, Checks: []Check{ErrContains("Unable to find image '127.0.0.1:1/e2e/missing:1' locally")}},
			{Args: d("run", "--pull", "never", "--rm", "@name@/missing:1"), Code: 125, Checks: []Check{ErrContains("No such image: @name@/missing:1")}},
		}},
		{Name: "inspect_missing", Static: true, Steps: []Step{
			{Args: d("inspect", "@name@"), Code: 1, Checks: []Check{ErrContains("No such object: @name@")}, Shape: ShapeCode},
			{Args: d("container", "inspect", "@name@"), Code: 1, Checks: []Check{ErrContains("No such container: @name@")}, Shape: ShapeCode},
			{Args: d("rm", "@name@"), Code: 1, Checks: []Check{ErrContains("No such container: @name@")}},
			{Args: d("logs", "@name@"), Code: 1, Checks: []Check{ErrContains("No such container: @name@")}},
		}},
		{Name: "create_then_start", Steps: []Step{
			{Args: d("create", "--name", "@name@", "@img@", "sh", "-c", "echo started"), Checks: []Check{OutMatch(`^[0-9a-f]{64}\n$`)}},
			{Args: d("inspect", "@name@"), Checks: []Check{JSON("created, never started", checkCreated)}, Shape: ShapeCode},
			{Args: d("start", "-a", "@name@"), Checks: []Check{Out("started\n")}},
			{Args: d("start", "@name@"), Checks: []Check{Out("@name@\n")}},
			{Args: d("wait", "@name@"), Checks: []Check{Out("0\n")}},
			{Args: d("logs", "@name@"), Checks: []Check{Out("started\nstarted\n")}},
		}},
		{Name: "inspect_state_times", Steps: []Step{
			{Args: d("run", "--name", "@name@", "@img@", "sh", "-c", "sleep 1; exit 4"), Code: 4},
			{Args: d("inspect", "@name@"), Checks: []Check{JSON("State has exit code and real times", checkExited(4))}, Shape: ShapeCode},
			{Args: d("inspect", "--format", "{{.State.Status}} {{.State.ExitCode}} {{.State.Running}}", "@name@"), Checks: []Check{Out("exited 4 false\n")}},
		}},
	}
}

func writeFile(name, content string) func(s *Session) harness.Result {
	return func(s *Session) harness.Result {
		if err := os.WriteFile(filepath.Join(s.Dir, name), []byte(content), 0o644); err != nil {
			return fail(err.Error())
		}
		return harness.Result{}
	}
}

func readFile(name string) func(s *Session) harness.Result {
	return func(s *Session) harness.Result {
		b, err := os.ReadFile(filepath.Join(s.Dir, name))
		if err != nil {
			return fail(err.Error())
		}
		return harness.Result{Stdout: string(b)}
	}
}

func checkCreated(_ *Session, v []container.InspectResponse) error {
	if len(v) != 1 || v[0].State == nil {
		return fmt.Errorf("want one container with State, got %d", len(v))
	}
	st := v[0].State
	if st.Status != "created" || st.Running || st.ExitCode != 0 {
		return fmt.Errorf("State = %+v, want created, not running, exit 0", *st)
	}
	if st.StartedAt != "0001-01-01T00:00:00Z" {
		return fmt.Errorf("StartedAt = %q for a container never started", st.StartedAt)
	}
	return nil
}

func checkExited(code int) func(*Session, []container.InspectResponse) error {
	return func(s *Session, v []container.InspectResponse) error {
		if len(v) != 1 || v[0].State == nil || v[0].Config == nil {
			return fmt.Errorf("want one container with State and Config, got %d", len(v))
		}
		c := v[0]
		if c.Name != "/"+s.Vars["name"] {
			return fmt.Errorf("Name = %q", c.Name)
		}
		if c.State.Status != "exited" || c.State.ExitCode != code || c.State.Running {
			return fmt.Errorf("State = %+v, want exited with %d", *c.State, code)
		}
		started, err1 := time.Parse(time.RFC3339Nano, c.State.StartedAt)
		finished, err2 := time.Parse(time.RFC3339Nano, c.State.FinishedAt)
		if err1 != nil || err2 != nil {
			return fmt.Errorf("StartedAt %q / FinishedAt %q are not RFC 3339 times", c.State.StartedAt, c.State.FinishedAt)
		}
		now := time.Now()
		if started.Before(now.Add(-10*time.Minute)) || finished.After(now.Add(time.Minute)) {
			return fmt.Errorf("StartedAt %s / FinishedAt %s are not around now (%s)", started, finished, now)
		}
		// The script sleeps 1 s, so a real run shows at least most of it.
		if d := finished.Sub(started); d < 800*time.Millisecond {
			return fmt.Errorf("FinishedAt - StartedAt = %s, want about 1s", d)
		}
		if fmt.Sprint(c.Config.Cmd) != "[sh -c sleep 1; exit 4]" {
			return fmt.Errorf("Config.Cmd = %q", c.Config.Cmd)
		}
		return nil
	}
}
