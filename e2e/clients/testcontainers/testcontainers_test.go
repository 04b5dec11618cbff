package testcontainers

import (
	"bufio"
	"bytes"
	"context"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/sockerless/sockerless/e2e/harness"
)

// moduleTimeout bounds one target's run of the module test (about 10 s
// on dockerd).
const moduleTimeout = 5 * time.Minute

// TestTestcontainers runs the module test with testcontainers-go on each
// target, in a process of its own with Ryuk disabled (its image cannot be
// pulled here), and expects every check to pass.
func TestTestcontainers(t *testing.T) {
	if os.Getenv(childTarget) != "" {
		t.Skip("the parent's test: this process runs TestModule")
	}
	for _, tg := range targets {
		t.Run(tg.Name, func(t *testing.T) {
			e := tg.Use(t)
			out, err := runModuleTest(t, tg.Name, e.Host)
			results := parseResults(out)
			passed, failed := 0, 0
			for _, c := range checks {
				if results[c.name] == "PASS" {
					passed++
					continue
				}
				failed++
				t.Errorf("%s: %s", c.name, orMissing(results[c.name]))
			}
			report("testcontainers %s: %d passed, %d failed", tg.Name, passed, failed)
			if failed > 0 || err != nil {
				t.Errorf("module test on %s (%v):\n%s", tg.Name, err, out)
			}
		})
	}
}

// runModuleTest runs this binary's TestModule against host and returns
// its verbose output.
func runModuleTest(t *testing.T, name, host string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), moduleTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run", "^TestModule$", "-test.v", "-test.count=1")
	cmd.Env = append(harness.CleanEnv(),
		childTarget+"="+name,
		"DOCKER_HOST="+host,
		"TESTCONTAINERS_RYUK_DISABLED=true",
		// No ~/.testcontainers.properties or docker context of the user's.
		"HOME="+t.TempDir(),
	)
	cmd.WaitDelay = 5 * time.Second
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.String(), err
}

var resultLine = regexp.MustCompile(`^\s*--- (PASS|FAIL|SKIP): TestModule/(\S+)`)

// parseResults maps each check of TestModule to PASS, FAIL or SKIP, from
// go test's verbose output.
func parseResults(out string) map[string]string {
	results := map[string]string{}
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		if m := resultLine.FindStringSubmatch(sc.Text()); m != nil {
			results[m[2]] = m[1]
		}
	}
	return results
}

func orMissing(result string) string {
	if result == "" {
		return "did not report (the module test stopped before it)"
	}
	return result
}

// TestParseResultsCountsOnlyModuleChecks proves a check counts only from
// its own result line: the parent's lines and missing checks do not pass.
func TestParseResultsCountsOnlyModuleChecks(t *testing.T) {
	out := `=== RUN   TestModule
=== RUN   TestModule/wait_for_log
--- PASS: TestModule/wait_for_log (0.52s)
    --- FAIL: TestModule/copy_to_container (0.10s)
--- PASS: TestTestcontainers/wait_for_exec (0.10s)
panic: boom
`
	got := parseResults(out)
	want := map[string]string{"wait_for_log": "PASS", "copy_to_container": "FAIL"}
	if len(got) != len(want) {
		t.Fatalf("results = %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}
}
