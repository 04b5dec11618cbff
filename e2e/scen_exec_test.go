package e2e

import (
	"strconv"
	"time"
)

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func execScenarios() []Scenario {
	running := Step{Args: d("run", "-d", "--name", "@name@", "@img@", "sh", "-c", "echo from-container > /tmp/c.txt; sleep 60")}
	return []Scenario{
		{Name: "exec", Steps: []Step{
			running,
			{Args: d("exec", "@name@", "echo", "hi"), Checks: []Check{Out("hi\n")}},
			{Args: d("exec", "-e", "FOO=bar", "@name@", "sh", "-c", "echo $FOO"), Checks: []Check{Out("bar\n")}},
			{Args: d("exec", "-w", "/tmp", "@name@", "pwd"), Checks: []Check{Out("/tmp\n")}},
			{Args: d("exec", "-i", "@name@", "cat"), Stdin: "piped in\n", Checks: []Check{Out("piped in\n")}},
			{Args: d("exec", "-t", "@name@", "echo", "tty"), Checks: []Check{Out("tty\r\n")}},
			{Args: d("exec", "@name@", "sh", "-c", "exit 5"), Code: 5},
			{Args: d("exec", "@name@", "sh", "-c", "echo out; echo err >&2"), Checks: []Check{Out("out\n"), ErrContains("err\n")}},
		}},
		// act starts every job container as `tail -f /dev/null` and execs
		// the job's steps into it; stop ends it within stop's grace (a
		// container's pid 1 that ignores TERM is killed after it).
		{Name: "tail_follow_keeps_container", Steps: []Step{
			{Args: d("run", "-d", "--name", "@name@", "@img@", "tail", "-f", "/dev/null")},
			{Args: d("exec", "@name@", "sleep", "2")},
			{Args: d("inspect", "--format", "{{.State.Running}}", "@name@"), Checks: []Check{Out("true\n")}},
			{Args: d("exec", "@name@", "sh", "-c", "echo step > /tmp/s; cat /tmp/s"), Checks: []Check{Out("step\n")}},
			{Args: d("stop", "-t", "3", "@name@"), Timeout: 20 * time.Second, Checks: []Check{Out("@name@\n")}},
			{Args: d("inspect", "--format", "{{.State.Running}}", "@name@"), Checks: []Check{Out("false\n")}},
		}},
		{Name: "tail_follow_prints_appended_lines", Steps: []Step{
			{Args: d("run", "-d", "--name", "@name@", "@img@", "sh", "-c", "echo a > /tmp/l; exec tail -f /tmp/l")},
			{Args: d("logs", "@name@"), Until: 10 * time.Second, Checks: []Check{Out("a\n")}},
			{Args: d("exec", "@name@", "sh", "-c", "echo b >> /tmp/l")},
			{Args: d("logs", "@name@"), Until: 10 * time.Second, Checks: []Check{Out("a\nb\n")}},
		}},
		// gitlab-ci-local's helper container runs this line.
		{Name: "chown_flags_after_operands", Steps: []Step{
			{Args: d("run", "--rm", "@img@", "sh", "-c", "mkdir -p /b/c && touch /b/c/f && chown 0:0 -R /b && chmod g-w -R /b && stat -c '%u:%g %a' /b/c/f"),
				Checks: []Check{Out("0:0 644\n")}},
		}},
		{Name: "exec_not_running", Steps: []Step{
			{Args: d("create", "--name", "@name@", "@img@")},
			{Args: d("exec", "@name@", "true"), Code: 1, Checks: []Check{ErrContains("is not running")}},
		}},
		{Name: "top_port_stats", Steps: []Step{
			running,
			{Args: d("top", "@name@"), Checks: []Check{OutContains("PID", "sleep 60")}, Shape: ShapeCode},
			{Args: d("port", "@name@"), Checks: []Check{OutEmpty()}},
			{Args: d("stats", "--no-stream", "--format", "{{.Name}}", "@name@"), Timeout: 30 * time.Second, Checks: []Check{Out("@name@\n")}},
			{Args: d("stats", "--no-stream", "@name@"), Timeout: 30 * time.Second, Checks: []Check{OutContains("CONTAINER ID", "MEM USAGE", "@name@")}, Shape: ShapeLines},
		}},
		{Name: "cp_both_ways", Steps: []Step{
			running,
			{Do: writeFile("h.txt", "from-host\n")},
			{Args: d("cp", "@dir@/h.txt", "@name@:/tmp/h.txt"), Shape: ShapeCode},
			{Args: d("exec", "@name@", "cat", "/tmp/h.txt"), Checks: []Check{Out("from-host\n")}},
			{Args: d("cp", "@name@:/tmp/c.txt", "@dir@/c.txt"), Until: 5 * time.Second, Shape: ShapeCode},
			{Do: readFile("c.txt"), Checks: []Check{Out("from-container\n")}},
			{Args: d("cp", "@name@:/etc", "@dir@/etc"), Shape: ShapeCode},
			{Do: readFile("etc/group"), Checks: []Check{OutContains("root:x:0:")}},
			{Args: d("cp", "@name@:/nosuch", "@dir@/x"), Code: 1, Checks: []Check{ErrContains("Could not find the file /nosuch")}, Shape: ShapeCode},
		}},
	}
}

func objectScenarios() []Scenario {
	return []Scenario{
		{Name: "volume_lifecycle", Static: true, Steps: []Step{
			{Args: d("volume", "create", "--label", "e2e=@name@", "@name@"), Checks: []Check{Out("@name@\n")}},
			{Args: d("volume", "ls", "-q", "--filter", "name=@name@"), Checks: []Check{Out("@name@\n")}},
			{Args: d("volume", "ls", "--filter", "label=e2e=@name@", "--format", "{{.Driver}} {{.Name}}"), Checks: []Check{Out("local @name@\n")}},
			{Args: d("volume", "inspect", "--format", "{{.Name}} {{.Driver}} {{.Labels}}", "@name@"), Checks: []Check{Out("@name@ local map[e2e:@name@]\n")}},
			{Args: d("volume", "rm", "@name@"), Checks: []Check{Out("@name@\n")}},
			{Args: d("volume", "inspect", "@name@"), Code: 1, Checks: []Check{ErrContains("no such volume")}, Shape: ShapeCode},
		}},
		{Name: "volume_in_use", Steps: []Step{
			{Args: d("run", "-d", "--name", "@name@", "-v", "@name@-v:/data", "@img@", "sleep", "60")},
			{Args: d("volume", "rm", "@name@-v"), Code: 1, Checks: []Check{ErrContains("in use")}},
		}},
		{Name: "network_lifecycle", Static: true, Steps: []Step{
			{Args: d("network", "ls", "--format", "{{.Name}} {{.Driver}}"), Checks: []Check{OutContains("bridge bridge\n", "host host\n", "none null\n")}, Shape: ShapeCode},
			// Filter values are regular expressions in Docker.
			{Args: d("network", "ls", "--format", "{{.Name}} {{.Driver}}", "--filter", "name=^bridge$"), Checks: []Check{Out("bridge bridge\n")}},
			{Args: d("network", "inspect", "--format", "{{.Name}} {{.Driver}} {{.Scope}}", "bridge"), Checks: []Check{Out("bridge bridge local\n")}},
			{Args: d("network", "create", "@name@"), Checks: []Check{OutMatch(`^[0-9a-f]{64}\n$`)}, Save: "netid"},
			{Args: d("network", "ls", "--no-trunc", "--format", "{{.ID}} {{.Name}}", "--filter", "name=@name@"), Checks: []Check{Out("@netid@ @name@\n")}},
			{Args: d("network", "inspect", "--format", "{{.Name}} {{.Driver}}", "@name@"), Checks: []Check{Out("@name@ bridge\n")}},
			{Args: d("network", "create", "@name@"), Code: 1, Checks: []Check{ErrContains("already exists")}},
			{Args: d("network", "rm", "@name@"), Checks: []Check{Out("@name@\n")}},
			{Args: d("network", "inspect", "@name@"), Code: 1, Checks: []Check{ErrContains("not found")}, Shape: ShapeCode},
		}},
		{Name: "run_on_networks", Steps: []Step{
			{Args: d("network", "create", "@name@")},
			{Args: d("run", "--rm", "--network", "@name@", "@img@", "echo", "joined"), Checks: []Check{Out("joined\n")}},
			// A missing network fails the start; --rm still removes the container.
			{Args: d("run", "--rm", "--name", "@name@-c", "--network", "@name@-none", "@img@", "true"), Code: 125, Checks: []Check{ErrContains("not found")}},
			{Args: d("ps", "-a", "-q", "--filter", "name=@name@-c"), Checks: []Check{Out("")}},
			{Args: d("network", "rm", "@name@")},
		}},
	}
}
