// Package binds copies bind mounts between the edge's machine and
// workloads that cannot mount it (the remote backends): a bind's source
// is a path on the Docker client's machine, which is the edge's. The
// function says which binds to copy (call.Stream.Binds); this package
// checks each source against the directories the edge shares, copies
// it into the workload through its agent before main starts, and copies
// read-write ones back when main exits. Symlinks are copied as links,
// never followed.
package binds

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// RootFlag is the edge's flag that shares a directory; the refusal of a
// source outside the shared ones names it.
const RootFlag = "--bind-root"

// ErrInvalid marks a bind the user must change (Docker's 400).
var ErrInvalid = errors.New("invalid bind")

// invalid is an error that is ErrInvalid without saying so in its text.
type invalid struct{ error }

func (invalid) Is(target error) bool { return target == ErrInvalid }

func invalidf(format string, a ...any) error { return invalid{fmt.Errorf(format, a...)} }

// DefaultRoots are the directories shared when none are configured: the
// user's home and the edge's working directory, where the sources of
// `docker run -v $PWD:/src` live.
func DefaultRoots() []string {
	var roots []string
	if home, err := os.UserHomeDir(); err == nil {
		roots = append(roots, home)
	}
	if wd, err := os.Getwd(); err == nil {
		roots = append(roots, wd)
	}
	return roots
}

// cleanRoots makes roots absolute and resolves their symlinks, so a
// source is compared with where the roots really are. A root that does
// not exist shares nothing and is left out.
func cleanRoots(roots []string) ([]string, error) {
	var out []string
	for _, r := range roots {
		if r == "" {
			continue
		}
		abs, err := filepath.Abs(r)
		if err != nil {
			return nil, err
		}
		real, err := filepath.EvalSymlinks(abs)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("bind root %s: %w", r, err)
		}
		out = append(out, real)
	}
	return out, nil
}

// resolve is where src really is, with its symlinks resolved (as a
// kernel bind mount resolves them), once it is known to exist and to
// lie within one of roots.
func resolve(roots []string, src string) (string, error) {
	real, err := filepath.EvalSymlinks(src)
	if errors.Is(err, fs.ErrNotExist) {
		// dockerd's words for a missing --mount source.
		return "", invalidf("invalid mount config for type \"bind\": bind source path does not exist: %s", src)
	}
	if err != nil {
		return "", invalidf("bind source %s: %v", src, err)
	}
	for _, r := range roots {
		if within(r, real) {
			return real, nil
		}
	}
	where := src
	if real != src {
		where = fmt.Sprintf("%s (a symlink to %s)", src, real)
	}
	shared := "none"
	if len(roots) > 0 {
		shared = strings.Join(roots, ", ")
	}
	return "", invalidf("bind source %s is outside the directories this edge shares with containers (%s): start the edge with %s %s to share it",
		where, shared, RootFlag, real)
}

func within(dir, p string) bool {
	rel, err := filepath.Rel(dir, p)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, "../")
}
