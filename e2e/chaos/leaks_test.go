package chaos

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sockerless/sockerless/e2e/harness"
	"github.com/sockerless/sockerless/functions/core"
	"github.com/sockerless/sockerless/functions/state/bolt"
)

// perContainer are the store's key prefixes that only a container
// holds: none may be left once every container is removed.
var perContainer = []string{"container/", "container-name/", "exec/", "network-ip/", "host-port/"}

// leftBehind removes every container, stops local mode, and lists what
// the removals left: containers, the driver's container directories,
// mounts and processes under the data directory, and the store's
// per-container records or broken names.
func leftBehind(t *testing.T, cli *harness.Engine, d *daemon) []string {
	t.Helper()
	var left []string
	if ids := strings.Fields(cli.Docker("ps", "-aq").Stdout); len(ids) > 0 {
		if r := cli.DockerWith(harness.RunOpts{}, append([]string{"rm", "-f"}, ids...)...); r.Code != 0 {
			left = append(left, "docker rm -f: "+strings.TrimSpace(r.Stderr))
		}
	}
	for _, id := range strings.Fields(cli.Docker("ps", "-aq").Stdout) {
		left = append(left, "container "+id)
	}
	data := filepath.Join(d.dir, "data")
	entries, _ := os.ReadDir(filepath.Join(data, "containers"))
	for _, e := range entries {
		left = append(left, "container directory "+e.Name())
	}
	if mi, err := os.ReadFile("/proc/self/mountinfo"); err == nil {
		for _, line := range strings.Split(string(mi), "\n") {
			if strings.Contains(line, d.dir) {
				left = append(left, "mount "+line)
			}
		}
	}
	d.mu.Lock()
	_ = d.e.Stop()
	d.mu.Unlock()
	left = append(left, processesUnder(d.dir)...)

	s, err := bolt.Open(filepath.Join(data, "state.db"))
	if err != nil {
		t.Fatalf("opening the store after the soak: %v", err)
	}
	defer s.Close()
	ctx := context.Background()
	for _, p := range perContainer {
		recs, _, err := s.List(ctx, p, "", 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range recs {
			left = append(left, "store record "+r.Key)
		}
	}
	bad, err := core.Inconsistencies(ctx, s, core.Leftovers{})
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range bad {
		left = append(left, "store: "+b)
	}
	return left
}

// processesUnder lists live processes whose command line names dir: a
// workload or agent local mode left running after it stopped.
func processesUnder(dir string) []string {
	var out []string
	procs, _ := filepath.Glob("/proc/[0-9]*/cmdline")
	for _, p := range procs {
		b, err := os.ReadFile(p)
		if err != nil || !strings.Contains(string(b), dir) {
			continue
		}
		out = append(out, fmt.Sprintf("process %s: %s", filepath.Base(filepath.Dir(p)), strings.ReplaceAll(string(b), "\x00", " ")))
	}
	return out
}
