package clients

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sockerless/sockerless/e2e/harness"
)

// upstreamParallel is how many upstream cases run at once on a target:
// act mostly waits on the engine, so a few overlap well on two cores.
const upstreamParallel = 3

// upstreamResults holds each target's outcome per case, so a case that
// fails on a Sockerless runtime can be compared with dockerd's.
var upstreamResults = struct {
	sync.Mutex
	m map[string]map[string]bool // target → case → passed
}{m: map[string]map[string]bool{}}

// TestActUpstream runs act's own runner test workflows that need no
// network on each target and counts them as runner_test.go does. A case
// that passes on dockerd must pass on Sockerless's runtimes too.
func TestActUpstream(t *testing.T) {
	pkg, err := UpstreamTestdata()
	if err != nil {
		t.Skip(err)
	}
	testdata := t.TempDir()
	if err := CopyUpstreamTestdata(pkg, testdata); err != nil {
		t.Fatal(err)
	}
	if err := commitRepo(filepath.Join(testdata, "runner"), "act runner testdata"); err != nil {
		t.Fatal(err)
	}
	if err := commitRepo(filepath.Join(testdata, "model"), "act model testdata"); err != nil {
		t.Fatal(err)
	}
	cases := selectUpstream(os.Getenv("ACT_UPSTREAM"))
	t.Logf("%d of act's %d runner test cases run here; the rest are excluded in upstream.go", len(cases), len(UpstreamCases))
	for _, tg := range targets {
		t.Run(tg.name, func(t *testing.T) {
			e := tg.use(t)
			bin := act(t)
			buildUpstreamImage(t, e)
			start := time.Now()
			passed := runUpstreamCases(t, tg.name, bin, e, testdata, cases)
			report("act-upstream %s: %d passed, %d failed", tg.name, passed, len(cases)-passed)
			t.Logf("act-upstream on %s: %d of %d passed in %s", tg.name, passed, len(cases), time.Since(start).Round(time.Second))
		})
	}
	compareUpstream(t, cases)
}

// runUpstreamCases runs the cases on e, a few at a time, and returns how
// many passed. Cases whose workflows share a name (act names containers
// after it) wait for each other. Each failure is logged with the tail of
// act's output.
func runUpstreamCases(t *testing.T, target, bin string, e *harness.Engine, testdata string, cases []UpstreamCase) int {
	results := map[string]bool{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	sem := make(chan struct{}, upstreamParallel)
	names := map[string]*sync.Mutex{}
	for _, c := range cases {
		for _, n := range workflowNames(testdata, c) {
			if names[n] == nil {
				names[n] = &sync.Mutex{}
			}
		}
	}
	for _, c := range cases {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			held := workflowNames(testdata, c)
			sort.Strings(held)
			held = slices.Compact(held)
			for _, n := range held {
				names[n].Lock()
				defer names[n].Unlock()
			}
			ctx, cancel := context.WithTimeout(context.Background(), upstreamTimeout)
			defer cancel()
			r := RunUpstream(ctx, bin, e.Host, testdata, UpstreamImage, t.TempDir(), c)
			ok := r.Passed(c)
			mu.Lock()
			defer mu.Unlock()
			results[c.Name()] = ok
			if !ok {
				t.Logf("%s on %s: FAIL, exit %d (want error: %v) in %s\n%s", c.Name(), target, r.Code, c.WantErr, r.Wall.Round(time.Millisecond), indent(tail(r.failureLines(), 25)))
			} else {
				t.Logf("%s on %s: ok in %s", c.Name(), target, r.Wall.Round(time.Millisecond))
			}
		}()
	}
	wg.Wait()
	upstreamResults.Lock()
	upstreamResults.m[target] = results
	upstreamResults.Unlock()
	passed := 0
	for _, ok := range results {
		if ok {
			passed++
		}
	}
	return passed
}

// compareUpstream fails the test for each case that passed on dockerd and
// failed on a Sockerless runtime, unless knownUpstreamFailures lists it
// with its reason.
func compareUpstream(t *testing.T, cases []UpstreamCase) {
	upstreamResults.Lock()
	defer upstreamResults.Unlock()
	ref, ok := upstreamResults.m["dockerd"]
	if !ok {
		return
	}
	for _, target := range []string{"sandbox", "engine"} {
		got, ok := upstreamResults.m[target]
		if !ok {
			continue
		}
		for _, c := range cases {
			name := c.Name()
			if !ref[name] || got[name] {
				continue
			}
			if why := knownUpstreamFailures[target][name]; why != "" {
				t.Logf("%s fails on %s as known: %s", name, target, why)
				continue
			}
			t.Errorf("%s passes on dockerd and fails on %s (its log is above)", name, target)
		}
	}
}

// selectUpstream returns the cases that run: those not excluded, or only
// the ones named in filter (comma-separated case names) when it is set.
func selectUpstream(filter string) []UpstreamCase {
	want := map[string]bool{}
	for _, n := range strings.Split(filter, ",") {
		if n != "" {
			want[n] = true
		}
	}
	var cases []UpstreamCase
	for _, c := range UpstreamCases {
		if c.Exclude == "" && (len(want) == 0 || want[c.Name()]) {
			cases = append(cases, c)
		}
	}
	return cases
}

// buildUpstreamImage builds UpstreamImage on e through the engine's
// build API and tags it as the images act's testdata names.
func buildUpstreamImage(t *testing.T, e *harness.Engine) {
	t.Helper()
	buildImage(t, e, UpstreamImage, map[string]string{
		"Dockerfile": "FROM " + TestImage + "\nCOPY bash /bin/bash\n",
		"bash":       upstreamBash,
	})
	for _, alias := range UpstreamAliases {
		if r := e.Docker("tag", UpstreamImage, alias); r.Code != 0 {
			t.Fatalf("docker tag %s %s: exit %d\n%s", UpstreamImage, alias, r.Code, r.Stderr)
		}
	}
}

// knownUpstreamFailures lists, per runtime, the upstream cases that pass
// on dockerd and cannot pass on that runtime, with the reason.
var knownUpstreamFailures = map[string]map[string]string{
	"sandbox": {
		// The job compares /proc/sys/kernel/random/boot_id with the host's
		// file bind-mounted; the sandbox's /proc is not the kernel's.
		"model/container-volumes": "cat: can't open '/proc/sys/kernel/random/boot_id': the sandbox has no kernel /proc/sys",
	},
	"engine": {
		// Engine containers use the host's network (their agent dials
		// local mode on loopback), and with it the host's UTS namespace:
		// dockerd cannot give them a hostname of their own.
		"container-hostname": "uname -n is the host's, not --hostname my.host.local: engine containers run with NetworkMode host",
	},
}

// failureLines is what to show of a failed run: the steps that did not
// succeed, then act's own lines.
func (r *ActRun) failureLines() []string {
	var out []string
	for _, s := range r.Steps {
		if s.Result != Success && s.Result != Skipped {
			out = append(out, "job "+s.Job+", step "+s.Name+": "+s.Result)
			out = append(out, tail(s.Lines, 8)...)
		}
	}
	return append(out, strings.Join(tail(r.Other, 8), "\n"))
}
