// Package listen opens the edge's listeners: a unix socket only its
// owner can use, and TCP on loopback unless the caller explicitly
// allows more. The Docker API gives whoever reaches it control of every
// container, so exposure is never a default.
package listen

import (
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// Unix listens on a unix socket at path with mode 0600. A socket file
// left by a dead edge is removed; one that still answers belongs to a
// live server and is an error, as is a path that is not a socket.
func Unix(path string) (net.Listener, error) {
	if err := removeStale(path); err != nil {
		return nil, err
	}
	// Bind inside a fresh 0700 directory, set the mode, then move the
	// socket into place: nobody else can connect in between, and the
	// process umask, shared with every goroutine, is left alone.
	tmp, err := os.MkdirTemp(filepath.Dir(path), ".sock-")
	if err != nil {
		return nil, fmt.Errorf("listen on unix socket %s: %w", path, err)
	}
	defer os.RemoveAll(tmp)
	bound := filepath.Join(tmp, "s")
	l, err := net.ListenUnix("unix", &net.UnixAddr{Name: bound, Net: "unix"})
	if err != nil {
		return nil, fmt.Errorf("listen on unix socket %s: %w", path, err)
	}
	// The listener would unlink the temporary name on Close; the socket
	// lives at path, which unixListener removes instead.
	l.SetUnlinkOnClose(false)
	if err := os.Chmod(bound, 0o600); err != nil {
		l.Close()
		return nil, fmt.Errorf("set mode of %s: %w", path, err)
	}
	if err := os.Rename(bound, path); err != nil {
		l.Close()
		return nil, fmt.Errorf("move socket into place at %s: %w", path, err)
	}
	return &unixListener{UnixListener: l, path: path}, nil
}

// unixListener removes its socket file when closed, as net's own does
// for the name it bound.
type unixListener struct {
	*net.UnixListener
	path string
	once sync.Once
}

func (l *unixListener) Close() error {
	err := l.UnixListener.Close()
	l.once.Do(func() { _ = os.Remove(l.path) })
	return err
}

func removeStale(path string) error {
	fi, err := os.Lstat(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("check %s: %w", path, err)
	}
	if fi.Mode()&os.ModeSocket == 0 {
		return fmt.Errorf("%s exists and is not a socket; refusing to replace it", path)
	}
	conn, err := net.DialTimeout("unix", path, time.Second)
	if err == nil {
		conn.Close()
		return fmt.Errorf("%s is in use by a running server", path)
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("remove stale socket %s: %w", path, err)
	}
	return nil
}

// TCP listens on addr ("host:port"; an empty host means 127.0.0.1). A
// host that is not a loopback address is refused unless allowRemote
// is set: the caller must have been told so explicitly.
func TCP(addr string, allowRemote bool) (net.Listener, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("invalid listen address %q: %w", addr, err)
	}
	if host == "" {
		host = "127.0.0.1"
	}
	if !allowRemote && !isLoopback(host) {
		return nil, fmt.Errorf("refusing to listen on %s: it is not a loopback address, and the Docker API gives full control to whoever reaches it; allow non-loopback listening explicitly to do this", addr)
	}
	l, err := net.Listen("tcp", net.JoinHostPort(host, port))
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", addr, err)
	}
	return l, nil
}

// isLoopback accepts "localhost" and loopback IPs only; other names are
// refused because they may resolve anywhere.
func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Loopback says whether addr ("host:port") listens on loopback only; an
// empty host does, as TCP takes it for 127.0.0.1.
func Loopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	return err == nil && (host == "" || isLoopback(host))
}
