// Package clients runs real CI clients against Sockerless and the
// reference dockerd: act (GitHub Actions) first. They are the acceptance
// tests: a job that fails on an engine fails the suite.
package clients

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// ActVersion is the act release scripts/install-deps.sh installs.
const ActVersion = "v0.2.89"

// FindAct returns the act binary: $ACT_BIN, else the one
// scripts/install-deps.sh installs into the user cache, else act on PATH.
func FindAct() (string, error) {
	if bin := os.Getenv("ACT_BIN"); bin != "" {
		if _, err := os.Stat(bin); err != nil {
			return "", fmt.Errorf("ACT_BIN=%s: %v", bin, err)
		}
		return bin, nil
	}
	if cache, err := os.UserCacheDir(); err == nil {
		bin := filepath.Join(cache, "sockerless", "bin", "act")
		if _, err := os.Stat(bin); err == nil {
			return bin, nil
		}
	}
	if bin, err := exec.LookPath("act"); err == nil {
		return bin, nil
	}
	return "", errors.New("act not installed (scripts/install-deps.sh installs it: go install github.com/nektos/act@" + ActVersion + ")")
}

// StepLog is what act logged for one step.
type StepLog struct {
	Job, Name string
	Result    string   // act's stepResult; "" when the step started and never ended
	Lines     []string // everything logged under the step, its output included
}

// ActRun is one act invocation's outcome.
type ActRun struct {
	Code  int           // act's exit code; -1 when it did not run or timed out
	Wall  time.Duration // how long act ran
	Steps map[[2]string]*StepLog
	Jobs  map[string]string // jobID → jobResult
	Other []string          // lines that are not about a step (act's own errors)
}

// RunAct runs act for the push event in repo against the engine at
// dockerHost, with image as the platform image, as a user would:
// DOCKER_HOST set, images already present (--pull=false), no action
// fetched (--action-offline-mode; the workflow uses no remote action) and
// no cache server. A failed job leaves its containers (no --rm), so the
// caller can show their logs. home isolates act's config and caches;
// extra are more of act's flags.
func RunAct(ctx context.Context, bin, dockerHost, repo, image, home string, extra ...string) *ActRun {
	return runAct(ctx, bin, dockerHost, repo, home, append([]string{"push", "--json",
		"-P", "ubuntu-latest=" + image, "--pull=false", "--action-offline-mode",
		"--no-cache-server"}, extra...)...)
}

// runAct runs act with args in dir against the engine at dockerHost, with
// home as its home, and parses its --json log.
func runAct(ctx context.Context, bin, dockerHost, dir, home string, args ...string) *ActRun {
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Dir = dir
	cmd.Env = append(actEnv(), "DOCKER_HOST="+dockerHost, "HOME="+home,
		"XDG_CONFIG_HOME="+filepath.Join(home, ".config"), "XDG_CACHE_HOME="+filepath.Join(home, ".cache"))
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.WaitDelay = 5 * time.Second
	start := time.Now()
	err := cmd.Run()
	r := parseActLog(out.Bytes())
	r.Wall = time.Since(start)
	var ee *exec.ExitError
	switch {
	case ctx.Err() != nil:
		r.Code = -1
		r.Other = append(r.Other, "act timed out: "+ctx.Err().Error())
	case errors.As(err, &ee):
		r.Code = ee.ExitCode()
	case err != nil:
		r.Code = -1
		r.Other = append(r.Other, "act did not run: "+err.Error())
	}
	return r
}

// actEnv is the test's environment without what would point act at
// another engine or config.
func actEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "DOCKER_") || strings.HasPrefix(k, "XDG_") || k == "HOME" || strings.HasPrefix(k, "GITHUB_") || k == "ACT" {
			continue
		}
		env = append(env, kv)
	}
	return env
}

// actLine is the part of act's --json log lines the suite reads.
type actLine struct {
	Msg        string   `json:"msg"`
	Job        string   `json:"job"` // workflow/job, with -N for a matrix cell; padded
	JobID      string   `json:"jobID"`
	Step       string   `json:"step"`
	StepID     []string `json:"stepID"`
	SetupID    []string `json:"stepid"` // act spells it so for Set up job and Complete job
	StepResult string   `json:"stepResult"`
	JobResult  string   `json:"jobResult"`
}

func parseActLog(b []byte) *ActRun {
	r := &ActRun{Steps: map[[2]string]*StepLog{}, Jobs: map[string]string{}}
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		var l actLine
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			r.Other = append(r.Other, sc.Text())
			continue
		}
		// A job is named workflow/job(-N): jobID alone is shared by a
		// matrix's cells and by same-named jobs of other workflows.
		if job := strings.TrimSpace(l.Job); job != "" {
			l.JobID = job
		}
		if l.JobResult != "" {
			r.Jobs[l.JobID] = l.JobResult
		}
		if l.JobID == "" || l.Step == "" {
			if l.JobResult == "" {
				r.Other = append(r.Other, strings.TrimRight(l.Msg, "\n"))
			}
			continue
		}
		k := [2]string{l.JobID, l.Step}
		s := r.Steps[k]
		if s == nil {
			s = &StepLog{Job: l.JobID, Name: l.Step}
			r.Steps[k] = s
		}
		s.Lines = append(s.Lines, strings.Split(strings.TrimRight(l.Msg, "\n"), "\n")...)
		if l.StepResult != "" {
			s.Result = l.StepResult
		}
	}
	return r
}

// Check compares the run with the steps the workflow must report, in
// order: passed counts the steps that ended as wanted, failed the rest and
// any step act ran that the workflow does not list. Each problem names the
// step and shows the tail of what act logged for it.
func (r *ActRun) Check(want []Step) (passed, failed int, problems []string) {
	listed := map[[2]string]bool{}
	notRun := map[string][]string{} // job → steps that never ran
	var jobs []string
	for _, w := range want {
		k := [2]string{w.Job, w.Name}
		listed[k] = true
		s := r.Steps[k]
		got := Skipped
		if s != nil {
			got = s.Result
			if got == "" {
				got = "no result"
			}
		}
		if got == w.Want {
			passed++
			continue
		}
		failed++
		if s == nil {
			if notRun[w.Job] == nil {
				jobs = append(jobs, w.Job)
			}
			notRun[w.Job] = append(notRun[w.Job], fmt.Sprintf("%q", w.Name))
			continue
		}
		problems = append(problems, fmt.Sprintf("job %s, step %q: want %s, got %s\n%s", w.Job, w.Name, w.Want, got, indent(tail(s.Lines, 20))))
	}
	for _, j := range jobs {
		problems = append(problems, fmt.Sprintf("job %s: %d steps did not run: %s", j, len(notRun[j]), strings.Join(notRun[j], ", ")))
	}
	for k, s := range r.Steps {
		if !listed[k] {
			failed++
			problems = append(problems, fmt.Sprintf("job %s, step %q: not in the workflow, got %s\n%s", k[0], k[1], s.Result, indent(tail(s.Lines, 20))))
		}
	}
	return passed, failed, problems
}

func tail(lines []string, n int) []string {
	if len(lines) > n {
		return lines[len(lines)-n:]
	}
	return lines
}

func indent(lines []string) string {
	return "    | " + strings.Join(lines, "\n    | ")
}
