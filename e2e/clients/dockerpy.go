package clients

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/sockerless/sockerless/e2e/harness"
)

// DockerPyVersion is the docker-py release whose integration suite the
// client suite runs (its tag in github.com/docker/docker-py).
const DockerPyVersion = "7.1.0"

// dockerPyAPIVersion is the API version the suite pins
// (DOCKER_TEST_API_VERSION), the one dockerd 20.10 speaks.
const dockerPyAPIVersion = "1.41"

// dockerPyTestTimeout bounds one docker-py test (pytest-timeout), so a
// hang is a failure, not a stuck run; none takes 10 s on dockerd.
const dockerPyTestTimeout = 45

// dockerPyExcluded are the suite's files left out: swarm mode and what
// needs it (services, secrets, configs, nodes) and plugins, which need
// Docker Hub and a daemon that installs them; Sockerless has neither.
var dockerPyExcluded = []string{
	"api_swarm_test.py", "api_service_test.py", "api_secret_test.py",
	"api_config_test.py", "api_plugin_test.py", "models_swarm_test.py",
	"models_services_test.py", "models_nodes_test.py",
}

// dockerPyImages are the names the suite runs, pulls or inspects; each
// target gets the busybox test image under every one of them (no registry
// is reachable, so the suite's pull of a missing TEST_IMG cannot happen).
var dockerPyImages = []string{"alpine:3.10", "alpine:latest", "busybox:latest", "hello-world:latest"}

// FindDockerPy returns the docker-py checkout named by SOCKERLESS_DOCKERPY,
// or why the suite cannot run: no checkout, or a Python without the
// modules docker-py and its tests import.
func FindDockerPy() (string, error) {
	dir := os.Getenv("SOCKERLESS_DOCKERPY")
	if dir == "" {
		return "", errors.New("SOCKERLESS_DOCKERPY is not set: point it at a docker-py " + DockerPyVersion +
			" source tree (git clone -b " + DockerPyVersion + " https://github.com/docker/docker-py), with Debian's " +
			"python3-pytest python3-pytest-timeout python3-requests python3-paramiko python3-websocket installed")
	}
	if _, err := os.Stat(filepath.Join(dir, "tests", "integration", "base.py")); err != nil {
		return "", fmt.Errorf("SOCKERLESS_DOCKERPY=%s holds no docker-py tests/integration: %v", dir, err)
	}
	check := exec.Command(dockerPyPython(), "-c", "import pytest, pytest_timeout, requests, paramiko, websocket")
	if out, err := check.CombinedOutput(); err != nil {
		return "", fmt.Errorf("%s lacks what docker-py's tests import (apt-get install python3-pytest python3-pytest-timeout python3-requests python3-paramiko python3-websocket): %v\n%s", dockerPyPython(), err, out)
	}
	return dir, nil
}

// dockerPyPython is the Python the suite runs with: Debian's, where apt
// installs the modules it needs, rather than whatever python3 comes
// first on PATH (a pyenv shim, say).
func dockerPyPython() string {
	if _, err := os.Stat("/usr/bin/python3"); err == nil {
		return "/usr/bin/python3"
	}
	return "python3"
}

// TagDockerPyImages gives image every name in dockerPyImages on e.
func TagDockerPyImages(e *harness.Engine, image string) error {
	for _, name := range dockerPyImages {
		if r := e.Docker("tag", image, name); r.Code != 0 {
			return fmt.Errorf("docker tag %s %s on %s: %s", image, name, e.Name, strings.TrimSpace(r.Stderr))
		}
	}
	return nil
}

// DockerPyResult is one run of the suite: each test's outcome by its
// name (file::Class::test).
type DockerPyResult struct {
	Outcome map[string]string // passed, failed, error or skipped
	Detail  map[string]string // the first line of a failure's message
}

// Count returns how many tests had outcome.
func (r DockerPyResult) Count(outcome string) int {
	n := 0
	for _, o := range r.Outcome {
		if o == outcome {
			n++
		}
	}
	return n
}

// RunDockerPy runs `pytest tests/integration` of checkout dir against
// host (only the tests SOCKERLESS_DOCKERPY_K selects, when set), bounded
// by timeout, and reads each test's outcome from the JUnit
// report it writes into work.
func RunDockerPy(dir, host, work string, timeout time.Duration) (DockerPyResult, string, error) {
	report := filepath.Join(work, "junit.xml")
	args := []string{"-m", "pytest", "tests/integration", "-p", "no:cacheprovider",
		"--timeout", fmt.Sprint(dockerPyTestTimeout), "--junitxml", report, "-q"}
	for _, f := range dockerPyExcluded {
		args = append(args, "--ignore", filepath.Join("tests", "integration", f))
	}
	if k := os.Getenv("SOCKERLESS_DOCKERPY_K"); k != "" {
		args = append(args, "-k", k) // a subset, by pytest's -k expression
	}
	// docker-py keeps its contexts beside the config file it finds, and
	// in the working directory (the checkout, shared by every target's
	// run) when there is none: give it one in work.
	if err := os.WriteFile(filepath.Join(work, "config.json"), []byte("{}\n"), 0o600); err != nil {
		return DockerPyResult{}, "", err
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, dockerPyPython(), args...)
	cmd.Dir = dir
	cmd.Env = append(harness.CleanEnv(), "DOCKER_HOST="+host, "DOCKER_TEST_API_VERSION="+dockerPyAPIVersion,
		"DOCKER_CONFIG="+work, "PYTHONPATH="+dir, "PYTHONDONTWRITEBYTECODE=1")
	cmd.WaitDelay = 5 * time.Second
	out, _ := cmd.CombinedOutput() // pytest exits 1 when a test fails: the report says which
	res, err := readJUnit(report)
	return res, string(out), err
}

// junitSuite is the part of pytest's JUnit XML report the suite reads.
type junitSuite struct {
	Cases []struct {
		Class   string    `xml:"classname,attr"`
		Name    string    `xml:"name,attr"`
		Failure *junitMsg `xml:"failure"`
		Error   *junitMsg `xml:"error"`
		Skipped *junitMsg `xml:"skipped"`
	} `xml:"testsuite>testcase"`
}

type junitMsg struct {
	Message string `xml:"message,attr"`
}

func readJUnit(path string) (DockerPyResult, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return DockerPyResult{}, fmt.Errorf("pytest wrote no report: %v", err)
	}
	var s junitSuite
	if err := xml.Unmarshal(b, &s); err != nil {
		return DockerPyResult{}, fmt.Errorf("reading pytest's report %s: %v", path, err)
	}
	res := DockerPyResult{Outcome: map[string]string{}, Detail: map[string]string{}}
	for _, c := range s.Cases {
		name := c.Class + "::" + c.Name
		switch {
		case c.Failure != nil:
			res.Outcome[name], res.Detail[name] = "failed", firstLine(c.Failure.Message)
		case c.Error != nil:
			// A test whose setup or teardown failed after the test itself
			// failed is reported twice; the failure counts.
			if res.Outcome[name] == "" || res.Outcome[name] == "passed" {
				res.Outcome[name], res.Detail[name] = "error", firstLine(c.Error.Message)
			}
		case c.Skipped != nil:
			res.Outcome[name] = "skipped"
		default:
			if res.Outcome[name] == "" {
				res.Outcome[name] = "passed"
			}
		}
	}
	return res, nil
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return s
}

// Regressions lists, sorted, the tests that pass on ref and not in got,
// each with what got said.
func (got DockerPyResult) Regressions(ref DockerPyResult) []string {
	var out []string
	for name, o := range ref.Outcome {
		if o == "passed" && got.Outcome[name] != "passed" {
			out = append(out, fmt.Sprintf("%s: %s %s", name, got.Outcome[name], got.Detail[name]))
		}
	}
	sort.Strings(out)
	return out
}
