package sandbox

import (
	"slices"
	"sync"
	"syscall"
	"time"
)

// ProcessInfo describes a running sandbox process for `docker top`.
type ProcessInfo struct {
	Pid     int
	PPid    int // 0 for a container's main process
	Args    []string
	Started time.Time
	Root    string // the container's root directory, to group by container
}

// table holds every running sandbox process in this host process, so that
// pseudo pids are unique and kill can reach any of them.
var table = struct {
	sync.Mutex
	next    int
	entries map[int]*entry
}{entries: map[int]*entry{}}

type entry struct {
	info   ProcessInfo
	signal func(syscall.Signal) error
}

// register allocates a pseudo pid for a new process.
func register(info ProcessInfo, signal func(syscall.Signal) error) int {
	table.Lock()
	defer table.Unlock()
	table.next++
	info.Pid = table.next
	if info.Started.IsZero() {
		info.Started = time.Now()
	}
	table.entries[info.Pid] = &entry{info: info, signal: signal}
	return info.Pid
}

func unregister(pid int) {
	table.Lock()
	defer table.Unlock()
	delete(table.entries, pid)
}

// signalPid delivers sig to a sandbox process by pseudo pid.
func signalPid(pid int, sig syscall.Signal) error {
	table.Lock()
	e, ok := table.entries[pid]
	table.Unlock()
	if !ok {
		return syscall.ESRCH
	}
	return e.signal(sig)
}

// Processes lists the running sandbox processes, ordered by pid.
func Processes() []ProcessInfo {
	table.Lock()
	defer table.Unlock()
	out := make([]ProcessInfo, 0, len(table.entries))
	for _, e := range table.entries {
		info := e.info
		info.Args = slices.Clone(info.Args)
		out = append(out, info)
	}
	slices.SortFunc(out, func(a, b ProcessInfo) int { return a.Pid - b.Pid })
	return out
}

// ProcessesIn lists the processes of the container rooted at root.
func ProcessesIn(root string) []ProcessInfo {
	var out []ProcessInfo
	for _, p := range Processes() {
		if p.Root == root {
			out = append(out, p)
		}
	}
	return out
}

// fatal reports whether sig ends a process that has no trap for it.
func fatal(sig syscall.Signal) bool {
	switch sig {
	case syscall.SIGKILL, syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP:
		return true
	}
	return false
}

// signalError is the cancellation cause of a process or command ended by
// a signal; its exit status is 128+n as Docker reports it.
type signalError struct{ sig syscall.Signal }

func (e signalError) Error() string { return "terminated by signal " + e.sig.String() }
func (e signalError) status() int   { return 128 + int(e.sig) }
