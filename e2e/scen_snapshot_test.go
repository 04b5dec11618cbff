package e2e

import (
	"archive/tar"
	"errors"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/sockerless/sockerless/e2e/harness"
)

// snapshotScenarios cover what reads a container's filesystem whole:
// docker diff, export and commit.
func snapshotScenarios() []Scenario {
	const change = `mkdir -p /var/e2e/sub && echo a > /var/e2e/sub/f && echo changed >> /etc/passwd && rm /etc/group`
	return []Scenario{
		{Name: "diff_export_commit", Steps: []Step{
			{Args: d("run", "--name", "@name@", "@img@", "sh", "-c", change), Checks: []Check{OutEmpty()}},
			// dockerd lists changes in its walk's order: compare them as a set.
			{Args: d("diff", "@name@"), Checks: []Check{OutLines(7), OutContains("C /etc\n", "D /etc/group\n", "C /etc/passwd\n", "C /var\n", "A /var/e2e\n", "A /var/e2e/sub\n", "A /var/e2e/sub/f\n")}, Shape: ShapeLines},
			{Args: d("export", "-o", "@dir@/export.tar", "@name@"), Checks: []Check{OutEmpty()}},
			{Do: tarNames("export.tar", "var/e2e/sub/f", "etc/passwd", "bin/sh"), Checks: []Check{Out("var/e2e/sub/f\netc/passwd\nbin/sh\n")}},
			{Do: tarLacks("export.tar", "etc/group"), Checks: []Check{OutEmpty()}},
			{Args: d("commit", "-c", "ENV E2E_COMMIT=1", "-m", "e2e message", "-a", "e2e author", "@name@", "@name@/committed:1"), Checks: []Check{OutMatch(`^sha256:[0-9a-f]{64}\n$`)}, Shape: ShapeLines},
			{Args: d("run", "--rm", "@name@/committed:1", "sh", "-c", `cat /var/e2e/sub/f; test -e /etc/group || echo no-group; tail -n 1 /etc/passwd; echo "$E2E_COMMIT"`), Checks: []Check{Out("a\nno-group\nchanged\n1\n")}},
			{Args: d("history", "--format", "{{.Comment}}", "@name@/committed:1"), Checks: []Check{Out("e2e message\nImported from -\n")}},
			{Args: d("image", "inspect", "--format", "{{.Author}} {{len .RootFS.Layers}}", "@name@/committed:1"), Checks: []Check{Out("e2e author 2\n")}},
			{Args: d("diff", "@name@-nosuch"), Code: 1, Checks: []Check{ErrContains("No such container")}, Shape: ShapeCode},
		}},
		{Name: "commit_replaced_dir", Steps: []Step{
			{Args: d("run", "--name", "@name@", "@img@", "sh", "-c", `rm -rf /home && mkdir /home && echo new > /home/only`), Checks: []Check{OutEmpty()}},
			{Args: d("commit", "@name@", "@name@/replaced:1"), Shape: ShapeLines},
			{Args: d("run", "--rm", "@name@/replaced:1", "ls", "/home"), Checks: []Check{Out("only\n")}},
		}},
	}
}

// tarNames prints which of names the tar in the session dir holds, in
// the order given (docker export writes "./x" or "x"; both count).
func tarNames(file string, names ...string) func(s *Session) harness.Result {
	return func(s *Session) harness.Result {
		have, err := tarEntries(filepath.Join(s.Dir, file))
		if err != nil {
			return fail(err.Error())
		}
		var out strings.Builder
		for _, n := range names {
			if have[n] {
				out.WriteString(n + "\n")
			}
		}
		return harness.Result{Stdout: out.String()}
	}
}

// tarLacks prints the names the tar holds but should not.
func tarLacks(file string, names ...string) func(s *Session) harness.Result {
	return func(s *Session) harness.Result {
		have, err := tarEntries(filepath.Join(s.Dir, file))
		if err != nil {
			return fail(err.Error())
		}
		var bad []string
		for _, n := range names {
			if have[n] {
				bad = append(bad, n)
			}
		}
		sort.Strings(bad)
		return harness.Result{Stdout: strings.Join(bad, "\n")}
	}
}

func tarEntries(path string) (map[string]bool, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	have := map[string]bool{}
	tr := tar.NewReader(f)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return have, nil
		}
		if err != nil {
			return nil, err
		}
		have[strings.TrimSuffix(strings.TrimPrefix(h.Name, "./"), "/")] = true
	}
}
