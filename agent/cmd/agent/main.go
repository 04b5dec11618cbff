// Command agent is the Sockerless agent: it wraps a workload's
// entrypoint, installs itself onto a shared volume, or serves as a Lambda
// function's runtime. See package agent/cli for the commands and their
// environment; this is the binary around it, on the real OS.
package main

import (
	"context"
	"io"
	"io/fs"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/sockerless/sockerless/agent/cli"
	"github.com/sockerless/sockerless/agent/osproc"
)

func main() {
	// The platform stops a workload with SIGTERM; ending ctx kills main
	// and gives up on reporting.
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	code := cli.Main(ctx, cli.Env{
		Args:    os.Args[1:],
		Getenv:  os.Getenv,
		Stdout:  os.Stdout,
		Stderr:  os.Stderr,
		Runtime: osproc.Runtime{},
		Self:    openSelf,
		Create:  create,
	})
	stop()
	os.Exit(code)
}

func openSelf() (io.ReadCloser, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	return os.Open(exe)
}

// create makes path's parent directories, as cli.Env.Create must.
func create(path string, perm fs.FileMode) (io.WriteCloser, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, perm)
	if err != nil {
		return nil, err
	}
	// OpenFile's perm is masked by the umask and ignored for an existing
	// file; the installed agent must be executable regardless.
	if err := f.Chmod(perm); err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}
