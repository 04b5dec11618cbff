package clients

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/sockerless/sockerless/e2e/harness"
)

// ComposeVersion is the docker compose release scripts/install-compose.sh
// builds as a docker CLI plugin.
const ComposeVersion = "v2.40.3"

// FindComposePlugins returns the directory holding the docker-compose CLI
// plugin scripts/install-compose.sh builds: $COMPOSE_PLUGIN_DIR, else the
// user cache's sockerless/cli-plugins.
func FindComposePlugins() (string, error) {
	dir := os.Getenv("COMPOSE_PLUGIN_DIR")
	if dir == "" {
		cache, err := os.UserCacheDir()
		if err != nil {
			return "", err
		}
		dir = filepath.Join(cache, "sockerless", "cli-plugins")
	}
	if _, err := os.Stat(filepath.Join(dir, "docker-compose")); err != nil {
		return "", errors.New("docker compose not installed (scripts/install-deps.sh builds github.com/docker/compose/v2@" + ComposeVersion + " into " + dir + "): " + err.Error())
	}
	return dir, nil
}

// Compose runs `docker compose` on one project against one engine, as a
// user would: the real docker CLI with the compose plugin, DOCKER_HOST
// set, the project file in its own directory.
type Compose struct {
	Host    string // DOCKER_HOST
	Project string // -p
	Dir     string // holds compose.yaml and the CLI config
}

// NewCompose writes file as dir/compose.yaml and a docker CLI config in
// dir that finds the compose plugin in pluginDir.
func NewCompose(host, project, dir, pluginDir, file string) (*Compose, error) {
	cfg, err := json.Marshal(map[string]any{"cliPluginsExtraDirs": []string{pluginDir}})
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Join(dir, "config"), 0o700); err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(dir, "config", "config.json"), cfg, 0o600); err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(dir, "compose.yaml"), []byte(file), 0o644); err != nil {
		return nil, err
	}
	return &Compose{Host: host, Project: project, Dir: dir}, nil
}

// Command returns an unstarted `docker compose -p PROJECT ARGS...`, for
// callers that stream its output (logs -f).
func (c *Compose) Command(ctx context.Context, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, harness.DockerCLI, append([]string{"compose", "-p", c.Project}, args...)...)
	cmd.Dir = c.Dir
	cmd.Env = append(composeEnv(), "DOCKER_HOST="+c.Host, "DOCKER_CONFIG="+filepath.Join(c.Dir, "config"))
	cmd.WaitDelay = 2 * time.Second
	return cmd
}

// Run runs `docker compose -p PROJECT ARGS...` in the project directory,
// bounded by timeout.
func (c *Compose) Run(timeout time.Duration, args ...string) harness.Result {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := c.Command(ctx, args...)
	var out, errb strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	r := harness.Result{Stdout: out.String(), Stderr: errb.String()}
	var ee *exec.ExitError
	switch {
	case ctx.Err() != nil:
		r.Code = -1
		r.Stderr += "\ndocker compose " + strings.Join(args, " ") + ": timed out"
	case errors.As(err, &ee):
		r.Code = ee.ExitCode()
	case err != nil:
		r.Code = -1
		r.Stderr += "\n" + err.Error()
	}
	return r
}

// composeEnv is the test's environment without what would point the CLI
// or compose elsewhere.
func composeEnv() []string {
	var env []string
	for _, kv := range harness.CleanEnv() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "COMPOSE_") {
			continue
		}
		env = append(env, kv)
	}
	return env
}

// ComposeFile is the project the suite drives, on image: init writes a
// random stamp into the named volume, the first time, and exits; web
// serves the stamp on port with nc once init completed, logging what each
// client sent, and publishes port on an ephemeral host port of 127.0.0.1; client idles and reaches web by its service name. The
// stamp outlives the containers only if the volume does. PID 1 ignores SIGTERM in web and client, so
// they stop after a short grace period.
func ComposeFile(image string, port int) string {
	return fmt.Sprintf(`services:
  init:
    image: %[1]s
    volumes: ["data:/data"]
    command: ["sh", "-c", "[ -f /data/stamp ] || echo stamp-$$RANDOM$$RANDOM > /data/stamp; echo init wrote $$(cat /data/stamp)"]
  web:
    image: %[1]s
    volumes: ["data:/data"]
    command: ["sh", "-c", "echo web serving on %[2]d; (while true; do if [ -f /tmp/say ]; then cat /tmp/say; rm -f /tmp/say; fi; sleep 0.2; done) & while true; do nc -l -p %[2]d < /data/stamp; done"]
    ports: ["127.0.0.1::%[2]d"]
    stop_grace_period: 1s
    depends_on:
      init:
        condition: service_completed_successfully
  client:
    image: %[1]s
    command: ["sleep", "86400"]
    stop_grace_period: 1s
    depends_on: [web]
volumes:
  data: {}
`, image, port)
}
