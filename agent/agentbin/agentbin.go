// Package agentbin supplies the static agent executable that local
// runtimes put into every container as its init: the copy embedded in
// this binary by `make` (release builds), or, in a source checkout with a
// go command, one built from the sources (development, never stale).
package agentbin

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	goruntime "runtime"
)

// prebuilt holds agent-linux-<GOARCH> when `make prebuilt` ran before
// the build; it always holds the README that keeps the directory.
//
//go:embed prebuilt
var prebuilt embed.FS

// Embedded returns the static linux agent for this machine's
// architecture embedded at build time, and whether there is one.
func Embedded() ([]byte, bool) {
	b, err := prebuilt.ReadFile("prebuilt/agent-linux-" + goruntime.GOARCH)
	return b, err == nil && len(b) > 0
}

// Install puts a static linux agent at out and returns out's absolute
// path. From a source checkout with a go command it builds the agent
// from the sources, so development never runs a stale copy; otherwise it
// writes the embedded one (rewriting out only when it differs). Either
// way it writes to a temporary name and renames, so a running container
// never sees a half-written binary.
func Install(out string) (string, error) {
	out, err := filepath.Abs(out)
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return "", err
	}
	src, srcErr := sourceDir()
	if srcErr == nil {
		if _, err := exec.LookPath("go"); err != nil {
			srcErr = err
		}
	}
	if srcErr == nil {
		return out, build(src, out)
	}
	bin, ok := Embedded()
	if !ok {
		return "", fmt.Errorf("no agent for containers: this binary was built without the embedded agent (make build embeds it) and cannot build one (%v); pass a static agent binary instead", srcErr)
	}
	if cur, err := os.ReadFile(out); err == nil && bytes.Equal(cur, bin) {
		return out, nil
	}
	tmp := fmt.Sprintf("%s.%d.tmp", out, os.Getpid())
	if err := os.WriteFile(tmp, bin, 0o755); err != nil {
		return "", err
	}
	return out, os.Rename(tmp, out)
}

// sourceDir is agent/cmd/agent beside this file, found through the
// compiled-in file name: present for go test, go run and binaries built
// in a checkout, absent for -trimpath (release) builds.
func sourceDir() (string, error) {
	_, file, _, ok := goruntime.Caller(0)
	if !ok {
		return "", errors.New("agent sources not locatable")
	}
	dir := filepath.Join(filepath.Dir(file), "..", "cmd", "agent")
	if _, err := os.Stat(filepath.Join(dir, "main.go")); err != nil {
		return "", fmt.Errorf("agent sources not found: %w", fs.ErrNotExist)
	}
	return dir, nil
}

// build compiles the agent in src, static (CGO_ENABLED=0) for linux on
// this machine's architecture, into out.
func build(src, out string) error {
	tmp := fmt.Sprintf("%s.%d.tmp", out, os.Getpid())
	cmd := exec.Command("go", "build", "-trimpath", "-o", tmp, ".")
	cmd.Dir = src
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+goruntime.GOARCH)
	if b, err := cmd.CombinedOutput(); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("build the agent for containers: %v\n%s", err, b)
	}
	return os.Rename(tmp, out)
}
