// Package debimage builds real images for tests: a Debian root
// filesystem with the packages asked for, made with mmdebstrap from the
// package archive (no registry is reachable here; the archive is), as
// a tar cached under ${XDG_CACHE_HOME:-$HOME/.cache}/sockerless/images,
// keyed by suite and package list. The first build takes minutes; the
// next ones read the cache.
package debimage

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Mirror is the Debian archive images are built from.
const Mirror = "http://deb.debian.org/debian"

// ErrUnreachable says the Debian archive could not be reached.
var ErrUnreachable = errors.New("the Debian archive is unreachable")

// Path returns the cached image tar of suite ("bookworm") with
// packages, building it with mmdebstrap when it is not cached yet.
func Path(ctx context.Context, suite string, packages ...string) (string, error) {
	pkgs := slices.Clone(packages)
	slices.Sort(pkgs)
	sum := sha256.Sum256([]byte(suite + "\n" + strings.Join(pkgs, ",")))
	dir, err := cacheDir()
	if err != nil {
		return "", err
	}
	out := filepath.Join(dir, fmt.Sprintf("debian-%s-%s.tar", suite, hex.EncodeToString(sum[:6])))
	if _, err := os.Stat(out); err == nil {
		return out, nil
	}
	// One build per image even across test processes.
	unlock, err := lock(out + ".lock")
	if err != nil {
		return "", err
	}
	defer unlock()
	if _, err := os.Stat(out); err == nil {
		return out, nil
	}
	if err := reachable(ctx, suite); err != nil {
		return "", err
	}
	if _, err := exec.LookPath("mmdebstrap"); err != nil {
		return "", errors.New("mmdebstrap is not installed: run scripts/install-deps.sh (apt-get install mmdebstrap)")
	}
	tmp := out + ".tmp"
	_ = os.Remove(tmp)
	cmd := exec.CommandContext(ctx, "mmdebstrap", "--variant=minbase", "--format=tar", "--quiet",
		"--include="+strings.Join(pkgs, ","), suite, tmp, Mirror)
	if b, err := cmd.CombinedOutput(); err != nil {
		_ = os.Remove(tmp)
		return "", fmt.Errorf("mmdebstrap %s with %s: %v\n%s", suite, strings.Join(pkgs, ","), err, b)
	}
	return out, os.Rename(tmp, out)
}

// Require is Path for a test: it skips the test, saying so, only when
// the archive cannot be reached, and fails it on any other error.
func Require(t testing.TB, suite string, packages ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel()
	p, err := Path(ctx, suite, packages...)
	if errors.Is(err, ErrUnreachable) {
		t.Skipf("no Debian image to test with: %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func cacheDir() (string, error) {
	base := os.Getenv("XDG_CACHE_HOME")
	if base == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", err
		}
		base = filepath.Join(home, ".cache")
	}
	dir := filepath.Join(base, "sockerless", "images")
	return dir, os.MkdirAll(dir, 0o755)
}

// reachable asks the archive for the suite's release file.
func reachable(ctx context.Context, suite string) error {
	ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodHead, Mirror+"/dists/"+suite+"/InRelease", nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrUnreachable, err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%w: %s/dists/%s/InRelease: %s", ErrUnreachable, Mirror, suite, resp.Status)
	}
	return nil
}

// lock takes an exclusive lock on path, waiting for another holder.
func lock(path string) (func(), error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		return nil, err
	}
	return func() {
		_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	}, nil
}
