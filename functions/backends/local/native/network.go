//go:build linux && cgo

package native

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
)

// netMode is how a container is networked.
type netMode int

const (
	// netHost: the host's network namespace, as --network host (and
	// a workload that names no network).
	netHost netMode = iota
	// netNone: a network namespace of its own with only loopback.
	netNone
	// netBridge: a namespace of its own wired to the bridges of its
	// endpoints (the default bridge, user-defined networks).
	netBridge
	// netContainer: another running container's namespace, as
	// --network container:NAME.
	netContainer
)

// networkOf maps docker run's --network to how the container runs and,
// for container:NAME, the container named.
func networkOf(mode string) (netMode, string) {
	switch {
	case mode == "" || mode == "host":
		return netHost, ""
	case mode == "none":
		return netNone, ""
	case strings.HasPrefix(mode, "container:"):
		return netContainer, strings.TrimPrefix(mode, "container:")
	}
	return netBridge, ""
}

// edgeSocket is where the agent of a container without the host's
// network finds the edge: a unix socket mounted into the container.
const edgeSocket = "/.sockerless/edge.sock"

// edgeProxy carries the connections a container's agent makes to its
// unix socket over to the edge's loopback TCP address.
type edgeProxy struct {
	ln     net.Listener
	target string
	wg     sync.WaitGroup
}

// startEdgeProxy listens on a unix socket for connections to agentURL's
// host. The socket lives in a directory of its own under the temporary
// directory: a path under the data directory can pass the 108 bytes a
// socket's path may have.
func startEdgeProxy(agentURL string) (*edgeProxy, error) {
	u, err := url.Parse(agentURL)
	if err != nil {
		return nil, fmt.Errorf("agent URL %q: %w", agentURL, err)
	}
	dir, err := os.MkdirTemp("", "sockerless-edge-")
	if err != nil {
		return nil, err
	}
	sock := filepath.Join(dir, "edge.sock")
	ln, err := net.Listen("unix", sock)
	if err == nil {
		// The agent runs as the container's user (--user): anyone may
		// connect, as anyone on the host may to the edge's loopback port.
		err = os.Chmod(sock, 0o666)
	}
	if err != nil {
		if ln != nil {
			ln.Close()
		}
		os.RemoveAll(dir)
		return nil, err
	}
	p := &edgeProxy{ln: ln, target: u.Host}
	p.wg.Add(1)
	go p.serve()
	return p, nil
}

func (p *edgeProxy) path() string { return p.ln.Addr().String() }

func (p *edgeProxy) serve() {
	defer p.wg.Done()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		go p.carry(c)
	}
}

func (p *edgeProxy) carry(c net.Conn) {
	defer c.Close()
	up, err := net.Dial("tcp", p.target)
	if err != nil {
		return
	}
	defer up.Close()
	go func() {
		_, _ = io.Copy(up, c)
		up.Close()
		c.Close()
	}()
	_, _ = io.Copy(c, up)
}

// close stops accepting; connections carried stay until either end
// closes (the container's processes die with it).
func (p *edgeProxy) close() error {
	err := p.ln.Close()
	p.wg.Wait()
	return errors.Join(err, os.RemoveAll(filepath.Dir(p.path())))
}
