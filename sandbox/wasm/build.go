package wasm

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	goruntime "runtime"
	"sort"
	"strings"
)

// SourceDir is where the utility program's source lives: ./utils beside
// this file. It is found through the compiled-in file name, so it exists
// for `go test`, `go run` and binaries built from a checkout or the module
// cache, and not for -trimpath builds moved elsewhere.
func SourceDir() (string, error) {
	_, file, _, ok := goruntime.Caller(0)
	if !ok {
		return "", errors.New("wasm: cannot locate the utility sources")
	}
	dir := filepath.Join(filepath.Dir(file), "utils")
	if _, err := os.Stat(filepath.Join(dir, "main.go")); err != nil {
		return "", fmt.Errorf("wasm: utility sources not found: %w", err)
	}
	return dir, nil
}

// CacheDir is $XDG_CACHE_HOME/sockerless/wasm (or the platform's user
// cache directory): built modules and wazero's compiled code live there.
func CacheDir() (string, error) {
	d, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("wasm: %w", err)
	}
	return filepath.Join(d, "sockerless", "wasm"), nil
}

// Available reports why the utility module cannot be built here, or nil:
// it needs the sources and a Go toolchain.
func Available() error {
	if _, err := SourceDir(); err != nil {
		return err
	}
	if _, err := exec.LookPath("go"); err != nil {
		return fmt.Errorf("wasm: no Go toolchain to build the utilities: %w", err)
	}
	return nil
}

// Build compiles the utility program for GOOS=wasip1 GOARCH=wasm into
// cacheDir/<hash>/utils.wasm, where the hash covers the sources, the
// module's go.sum and the toolchain version, and returns the file's path.
// A module already there is reused: building happens once per change.
func Build(ctx context.Context, cacheDir string) (string, error) {
	src, err := SourceDir()
	if err != nil {
		return "", err
	}
	ver, err := exec.CommandContext(ctx, "go", "env", "GOVERSION").Output()
	if err != nil {
		return "", fmt.Errorf("wasm: go env: %w", err)
	}
	key, err := sourceHash(ctx, src, strings.TrimSpace(string(ver)))
	if err != nil {
		return "", err
	}
	out := filepath.Join(cacheDir, key, "utils.wasm")
	if _, err := os.Stat(out); err == nil {
		return out, nil
	}
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return "", fmt.Errorf("wasm: %w", err)
	}
	tmp := fmt.Sprintf("%s.%d.tmp", out, os.Getpid())
	cmd := exec.CommandContext(ctx, "go", "build", "-trimpath", "-ldflags=-s -w", "-o", tmp, ".")
	cmd.Dir = src
	cmd.Env = append(os.Environ(), "GOOS=wasip1", "GOARCH=wasm", "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		os.Remove(tmp)
		return "", fmt.Errorf("wasm: building utilities: %w\n%s", err, b)
	}
	if err := os.Rename(tmp, out); err != nil {
		return "", fmt.Errorf("wasm: %w", err)
	}
	return out, nil
}

// sourceHash digests the Go files of every non-standard package the
// program is built from (the utilities, sandbox/coreutils, ...), the
// module's go.sum and the toolchain version.
func sourceHash(ctx context.Context, src, goVersion string) (string, error) {
	cmd := exec.CommandContext(ctx, "go", "list", "-deps", "-f", `{{if not .Standard}}{{range .GoFiles}}{{$.Dir}}/{{.}}
{{end}}{{end}}`, ".")
	cmd.Dir = src
	cmd.Env = append(os.Environ(), "GOOS=wasip1", "GOARCH=wasm", "CGO_ENABLED=0")
	list, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("wasm: listing the utilities' sources: %w", err)
	}
	files := strings.Fields(string(list))
	files = append(files, filepath.Join(src, "..", "..", "go.sum"))
	sort.Strings(files)
	h := sha256.New()
	fmt.Fprintf(h, "%s wasip1/wasm\n", goVersion)
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return "", fmt.Errorf("wasm: %w", err)
		}
		fmt.Fprintf(h, "%s %d\n", filepath.Base(f), len(b))
		h.Write(b)
	}
	return hex.EncodeToString(h.Sum(nil))[:16], nil
}
