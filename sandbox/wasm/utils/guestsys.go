package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/sockerless/sockerless/sandbox/command"
	"github.com/sockerless/sockerless/sandbox/wasm/abi"
	"github.com/sockerless/sockerless/sandbox/wasm/guest"
)

// guestSys is command.System for utilities in the module, answered by
// the host module.
type guestSys struct{}

var _ command.System = guestSys{}

// info is what sysinfo returned, read once per process.
var info = sync.OnceValue(func() []string {
	ss := hostSysinfo()
	for len(ss) < abi.InfoFields {
		ss = append(ss, "")
	}
	return ss
})

func (guestSys) Hostname() string { return info()[abi.InfoHostname] }

func (guestSys) User() command.User {
	ss := info()
	uid, _ := strconv.Atoi(ss[abi.InfoUID])
	gid, _ := strconv.Atoi(ss[abi.InfoGID])
	return command.User{Name: ss[abi.InfoUser], UID: uid, GID: gid, GroupName: ss[abi.InfoGroup]}
}

func (guestSys) Kernel() command.Kernel {
	ss := info()
	return command.Kernel{Release: ss[abi.InfoRelease], Version: ss[abi.InfoVersion], Machine: ss[abi.InfoMachine]}
}

// heapLimit is what the host lets the Go runtime use; 0 when unknown.
func heapLimit() int64 {
	n, _ := strconv.ParseInt(info()[abi.InfoHeap], 10, 64)
	return n
}

// Signal is refused: kill runs on the host, where the processes are.
func (guestSys) Signal(int, syscall.Signal) error { return syscall.ENOSYS }

// Exec runs a child through the host after flushing what this process
// buffered for the same stream; ctx's deadline goes with it (timeout),
// since the host cannot see the module's timers.
func (guestSys) Exec(ctx context.Context, inv *command.Invocation) int {
	if f, ok := inv.Stdout.(flusher); ok {
		f.Flush()
	}
	const stopped = 128 + int(syscall.SIGTERM) // as timeout's child ends
	var d time.Duration
	if dl, ok := ctx.Deadline(); ok {
		if d = time.Until(dl); d <= 0 {
			return stopped
		}
	}
	code := hostExec(inv.Dir, inv.Args, inv.Env, false, d)
	if code == abi.ExecTimedOut {
		return stopped
	}
	return code
}

func (guestSys) LookPath(name string, env []string) (string, error) { return hostLookPath(name, env) }

// Dial and Listen reach loopback through the host module; a refusal
// is reported as command.ErrNotLoopback, what the utilities look for.
func (guestSys) Dial(ctx context.Context, network, address string) (net.Conn, error) {
	c, err := guest.Dial(ctx, network, address)
	return c, notLoopback(address, err)
}

func (guestSys) Listen(_ context.Context, network, address string) (net.Listener, error) {
	l, err := guest.Listen(network, address)
	return l, notLoopback(address, err)
}

func notLoopback(address string, err error) error {
	if errors.Is(err, guest.ErrNotLoopback) {
		host, _, _ := net.SplitHostPort(address)
		return fmt.Errorf("%s: %w", host, command.ErrNotLoopback)
	}
	return err
}
