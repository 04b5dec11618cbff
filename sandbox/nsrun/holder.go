//go:build linux && cgo

package nsrun

import (
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// A rootless container cannot have its overlay root mounted by this
// process: an unprivileged process mounts only in a mount namespace its
// own user namespace owns, and libcontainer's init mounts nothing before
// its rootfs. So a holder, this binary executed again in a user, mount
// (and network) namespace of its own, mounts the overlay there, and the
// container's init joins those namespaces. The holder also dials into
// its network namespace for port publishing (this process may not
// enter it), and ends, releasing the namespaces, when Close closes its
// control socket or this process dies.

// holderArg is the argument this binary is executed with as a holder.
const holderArg = "nsrun-holder"

// holderEnv marks a holder's environment, so an argument alone never
// makes one.
const holderEnv = "_NSRUN_HOLDER"

// RootSpec is what a holder mounts: Lower under Upper at Merged, with
// Work as overlayfs's scratch, and whether it makes a network namespace
// with loopback up for the container (otherwise the host's is kept).
type RootSpec struct {
	Lower, Upper, Work, Merged string
	Net                        bool
}

// Holder is a process holding a rootless container's namespaces.
type Holder struct {
	cmd  *exec.Cmd
	ctl  *net.UnixConn
	mu   sync.Mutex // one request at a time on ctl
	once sync.Once
}

type holderReply struct {
	Err string `json:"err,omitempty"`
}

type dialRequest struct {
	Network, Addr string
}

// StartHolder starts a holder for rs in a new user namespace mapping
// this process's uid and gid to 0 (and subordinate IDs, see idMaps),
// and waits for its overlay to be mounted.
func StartHolder(rs RootSpec) (*Holder, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_SEQPACKET|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	mine, theirs := os.NewFile(uintptr(fds[0]), "holder-ctl"), os.NewFile(uintptr(fds[1]), "holder-ctl")
	defer theirs.Close()
	fc, err := net.FileConn(mine)
	mine.Close()
	if err != nil {
		return nil, err
	}
	h := &Holder{ctl: fc.(*net.UnixConn)}
	maps := idMaps()
	flags := uintptr(unix.CLONE_NEWUSER | unix.CLONE_NEWNS)
	if rs.Net {
		flags |= unix.CLONE_NEWNET
	}
	h.cmd = exec.Command(exe, holderArg)
	h.cmd.Env = []string{holderEnv + "=1"}
	h.cmd.ExtraFiles = []*os.File{theirs}
	h.cmd.Stderr = os.Stderr
	h.cmd.SysProcAttr = &syscall.SysProcAttr{Cloneflags: flags}
	if maps.tools == nil {
		h.cmd.SysProcAttr.UidMappings = []syscall.SysProcIDMap{{ContainerID: 0, HostID: os.Geteuid(), Size: 1}}
		h.cmd.SysProcAttr.GidMappings = []syscall.SysProcIDMap{{ContainerID: 0, HostID: os.Getegid(), Size: 1}}
	}
	if err := h.cmd.Start(); err != nil {
		h.ctl.Close()
		return nil, fmt.Errorf("start the user namespace of a rootless container: %w%s", err, userNSHint(err))
	}
	if maps.tools != nil {
		if err := maps.apply(h.cmd.Process.Pid); err != nil {
			return nil, errors.Join(err, h.Close())
		}
	}
	if _, err := h.call(rs); err != nil {
		return nil, errors.Join(err, h.Close())
	}
	return h, nil
}

// Pid is the holder's process ID.
func (h *Holder) Pid() int { return h.cmd.Process.Pid }

// NS is the path of the holder's namespace of kind t ("user", "mnt",
// "net").
func (h *Holder) NS(t string) string { return fmt.Sprintf("/proc/%d/ns/%s", h.Pid(), t) }

// Dial connects to addr from inside the holder's network namespace.
func (h *Holder) Dial(network, addr string) (net.Conn, error) {
	f, err := h.call(dialRequest{Network: network, Addr: addr})
	if err != nil {
		return nil, err
	}
	if f == nil {
		return nil, errors.New("the container's namespace sent no connection")
	}
	defer f.Close()
	return net.FileConn(f)
}

// call sends req and waits for the reply and the descriptor it carries.
func (h *Holder) call(req any) (*os.File, error) {
	b, err := json.Marshal(req)
	if err != nil {
		return nil, err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	// A holder answers within its dial's timeout; one that does not is
	// stuck, and no caller waits for it for ever.
	if err := h.ctl.SetDeadline(time.Now().Add(30 * time.Second)); err != nil {
		return nil, err
	}
	if _, err := h.ctl.Write(b); err != nil {
		return nil, fmt.Errorf("rootless container's namespaces: %w", err)
	}
	buf, oob := make([]byte, 4096), make([]byte, unix.CmsgSpace(4))
	n, oobn, _, _, err := h.ctl.ReadMsgUnix(buf, oob)
	if err != nil || n == 0 {
		return nil, fmt.Errorf("rootless container's namespaces ended: %v", err)
	}
	var f *os.File
	if oobn > 0 {
		if msgs, err := unix.ParseSocketControlMessage(oob[:oobn]); err == nil && len(msgs) == 1 {
			if fds, err := unix.ParseUnixRights(&msgs[0]); err == nil && len(fds) == 1 {
				f = os.NewFile(uintptr(fds[0]), "conn")
			}
		}
	}
	var r holderReply
	if err := json.Unmarshal(buf[:n], &r); err != nil {
		return nil, err
	}
	if r.Err != "" {
		if f != nil {
			f.Close()
		}
		return nil, errors.New(r.Err)
	}
	return f, nil
}

// Close ends the holder; the namespaces go with the last process in
// them.
func (h *Holder) Close() error {
	if h == nil {
		return nil
	}
	h.once.Do(func() {
		h.ctl.Close()
		done := make(chan struct{})
		go func() { _ = h.cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			_ = h.cmd.Process.Kill()
			<-done
		}
	})
	return nil
}

// holderMain serves as a holder: mounts the root it is asked for, then
// dials for its caller until the control socket closes. It never
// returns.
func holderMain() {
	f := os.NewFile(3, "ctl")
	fc, err := net.FileConn(f)
	if err != nil {
		os.Exit(2)
	}
	ctl := fc.(*net.UnixConn)
	buf := make([]byte, 4096)
	n, err := ctl.Read(buf)
	if err != nil {
		os.Exit(0)
	}
	var rs RootSpec
	err = json.Unmarshal(buf[:n], &rs)
	if err == nil {
		err = setupRoot(rs)
	}
	reply(ctl, err, -1)
	if err != nil {
		os.Exit(1)
	}
	for {
		n, err := ctl.Read(buf)
		if err != nil || n == 0 {
			os.Exit(0)
		}
		var req dialRequest
		if err := json.Unmarshal(buf[:n], &req); err != nil {
			reply(ctl, err, -1)
			continue
		}
		c, err := net.DialTimeout(req.Network, req.Addr, 10*time.Second)
		if err != nil {
			reply(ctl, err, -1)
			continue
		}
		cf, err := c.(interface{ File() (*os.File, error) }).File()
		c.Close()
		if err != nil {
			reply(ctl, err, -1)
			continue
		}
		reply(ctl, nil, int(cf.Fd()))
		cf.Close()
	}
}

func reply(ctl *net.UnixConn, err error, fd int) {
	var r holderReply
	if err != nil {
		r.Err = err.Error()
	}
	b, _ := json.Marshal(r)
	var oob []byte
	if fd >= 0 {
		oob = unix.UnixRights(fd)
	}
	_, _, _ = ctl.WriteMsgUnix(b, oob, nil)
}

// setupRoot mounts rs's overlay (its whiteouts' xattrs in the user.
// namespace, the only one a user namespace may write) and brings up
// loopback in a new network namespace.
func setupRoot(rs RootSpec) error {
	// Nothing mounted here may reach the host's mount namespace.
	if err := unix.Mount("", "/", "", unix.MS_REC|unix.MS_SLAVE, ""); err != nil {
		return fmt.Errorf("make the rootless mount namespace private: %w", err)
	}
	if err := mountOverlay(rs.Lower, rs.Upper, rs.Work, rs.Merged, "userxattr"); err != nil {
		return err
	}
	if rs.Net {
		return loopbackUp()
	}
	return nil
}

// loopbackUp brings up lo in this process's network namespace.
func loopbackUp() error {
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return err
	}
	defer unix.Close(fd)
	ifr, err := unix.NewIfreq("lo")
	if err != nil {
		return err
	}
	if err := unix.IoctlIfreq(fd, unix.SIOCGIFFLAGS, ifr); err != nil {
		return fmt.Errorf("loopback: %w", err)
	}
	ifr.SetUint16(ifr.Uint16() | unix.IFF_UP)
	if err := unix.IoctlIfreq(fd, unix.SIOCSIFFLAGS, ifr); err != nil {
		return fmt.Errorf("bring up loopback: %w", err)
	}
	return nil
}

// userNSHint says what usually makes the kernel refuse a user namespace.
func userNSHint(err error) string {
	switch {
	case errors.Is(err, unix.ENOSPC):
		return " (the sysctl user.max_user_namespaces is 0 or reached)"
	case errors.Is(err, unix.EPERM), errors.Is(err, unix.EACCES):
		return " (unprivileged user namespaces are off: kernel.unprivileged_userns_clone, kernel.apparmor_restrict_unprivileged_userns)"
	}
	return ""
}
