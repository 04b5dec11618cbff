package backends

import "time"

// scenarios are the local-mode CLI scenarios that apply to a backend
// whose images come from a registry and whose containers run remotely.
var scenarios = []scenario{
	{name: "pull", steps: []step{
		{args: []string{"pull", "@img@"}, has: []string{"Digest: sha256:"}},
		{args: []string{"image", "inspect", "-f", "{{.Config.WorkingDir}} {{.Config.User}}", "@img@"}, out: str("/srv/e2e e2e")},
	}},
	{name: "run uses the image's entrypoint and cmd", steps: []step{
		{args: []string{"run", "--rm", "@img@"}, out: str("entrypoint from-cmd")},
	}},
	{name: "run with a shell and an exit code", steps: []step{
		{args: []string{"run", "--rm", "--entrypoint", "sh", "@img@", "-c", "echo hi; echo oops >&2; exit 3"}, code: 3, out: str("hi"), errHas: []string{"oops"}},
	}},
	{name: "environment and working dir", steps: []step{
		{args: []string{"run", "--rm", "-e", "A=b", "-w", "/tmp", "--entrypoint", "sh", "@img@", "-c", "echo $A $E2E_IMAGE $(pwd)"}, out: str("b registry /tmp")},
	}},
	{name: "detached, logs, exec, stop", steps: []step{
		{args: []string{"run", "-d", "--name", "svc", "--entrypoint", "sh", "@img@", "-c", "echo started; trap 'echo bye; exit 0' TERM; while true; do sleep 1; done"}},
		{args: []string{"logs", "svc"}, has: []string{"started"}, until: 30 * time.Second},
		{args: []string{"ps", "--filter", "name=svc", "--format", "{{.Names}} {{.State}}"}, out: str("svc running")},
		{args: []string{"exec", "svc", "sh", "-c", "echo from exec; exit 4"}, code: 4, out: str("from exec")},
		{args: []string{"stop", "-t", "5", "svc"}, out: str("svc")},
		{args: []string{"inspect", "-f", "{{.State.Status}} {{.State.ExitCode}}", "svc"}, out: str("exited 0")},
		{args: []string{"logs", "svc"}, has: []string{"started", "bye"}, until: 30 * time.Second},
		{args: []string{"rm", "svc"}, out: str("svc")},
		{args: []string{"inspect", "svc"}, code: 1},
	}},
	{name: "wait and ps -a", steps: []step{
		{args: []string{"run", "-d", "--name", "quick", "--entrypoint", "sh", "@img@", "-c", "exit 7"}},
		{args: []string{"wait", "quick"}, out: str("7")},
		{args: []string{"ps", "-a", "--filter", "name=quick", "--format", "{{.Names}} {{.State}}"}, out: str("quick exited")},
		{args: []string{"rm", "quick"}, out: str("quick")},
	}},
	{name: "stdin", steps: []step{
		{args: []string{"run", "--rm", "-i", "--entrypoint", "sh", "@img@", "-c", "read x; echo got $x"}, out: str("got")},
	}},
	{name: "named volume shared by containers, refused while in use", steps: []step{
		{args: []string{"volume", "create", "e2evol"}, out: str("e2evol")},
		{args: []string{"run", "--rm", "-v", "e2evol:/mnt/e2evol", "--entrypoint", "sh", "@img@", "-c", "echo kept > /mnt/e2evol/f"}},
		{args: []string{"run", "-d", "--name", "holder", "-v", "e2evol:/mnt/e2evol", "--entrypoint", "sh", "@img@", "-c", "cat /mnt/e2evol/f; sleep 60"}},
		{args: []string{"logs", "holder"}, has: []string{"kept"}, until: 30 * time.Second},
		{args: []string{"volume", "rm", "e2evol"}, code: 1, errHas: []string{"volume is in use"}},
		{args: []string{"rm", "-f", "holder"}, out: str("holder")},
		{args: []string{"volume", "rm", "e2evol"}, out: str("e2evol")},
		{args: []string{"volume", "ls", "-q", "--filter", "name=e2evol"}, out: str("")},
	}},
	{name: "bad input", steps: []step{
		{args: []string{"run", "--rm", "127.0.0.1:1/nosuch:1"}, code: 125, errHas: []string{"127.0.0.1:1/nosuch"}},
		{args: []string{"load", "-i", "/dev/null"}, code: 1, errHas: []string{"images live in a registry"}},
		{args: []string{"run", "--rm", "-v", "/etc:/host", "@img@"}, code: 125, errHas: []string{"bind source /etc is outside the directories this edge shares with containers", "start the edge with --bind-root /etc"}},
		{args: []string{"run", "--rm", "-v", "/tmp/sockerless-e2e-nosuch:/host", "@img@"}, code: 125, errHas: []string{`invalid mount config for type "bind": bind source path does not exist: /tmp/sockerless-e2e-nosuch`}},
	}},
}
