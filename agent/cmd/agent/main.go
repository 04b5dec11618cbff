// Command agent is the Sockerless agent: it wraps a workload's
// entrypoint, installs itself onto a shared volume, or serves as a Lambda
// function's runtime. See package agent/cli for the commands and their
// environment; this is the binary around it, on the real OS.
package main

import (
	"context"
	"io"
	"io/fs"
	"net"
	"net/http"
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
		// A container without the host's network reaches the edge
		// through a unix socket its runtime mounts in.
		HTTPClient: edgeSocketClient(os.Getenv("SOCKERLESS_EDGE_SOCKET")),
	})
	stop()
	os.Exit(code)
}

// edgeSocketClient dials every connection to the unix socket at path;
// nil (the default client) when path is empty.
func edgeSocketClient(path string) *http.Client {
	if path == "" {
		return nil
	}
	var d net.Dialer
	return &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			return d.DialContext(ctx, "unix", path)
		},
	}}
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
