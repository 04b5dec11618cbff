package agent

import (
	"encoding/json"
	"fmt"
	"os"
	"os/user"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/sockerless/sockerless/agent/proto"
)

// CPUTimer is implemented by processes that know their CPU time; top
// shows "-" for the others.
type CPUTimer interface {
	CPUTime() (time.Duration, error)
}

// procTable is every running process the agent started: main and execs.
type procTable struct {
	mu    sync.Mutex
	procs map[*procEntry]struct{}
}

type procEntry struct {
	p       Process
	spec    proto.ProcessSpec
	started time.Time
}

func (t *procTable) init() { t.procs = map[*procEntry]struct{}{} }

func (t *procTable) add(p Process, spec proto.ProcessSpec) *procEntry {
	e := &procEntry{p: p, spec: spec, started: time.Now()}
	t.mu.Lock()
	t.procs[e] = struct{}{}
	t.mu.Unlock()
	return e
}

func (t *procTable) remove(e *procEntry) {
	t.mu.Lock()
	delete(t.procs, e)
	t.mu.Unlock()
}

// topTitles are the columns of `ps -ef`.
var topTitles = []string{"UID", "PID", "PPID", "C", "STIME", "TTY", "TIME", "CMD"}

// top lists the table like `ps -ef`. The agent knows only the processes
// it started, not their children, so it serves no other ps options.
func (t *procTable) top(psArgs string) (proto.TopResult, error) {
	switch strings.Join(strings.Fields(psArgs), " ") {
	case "", "-ef", "-e -f", "-fe":
	default:
		return proto.TopResult{}, fmt.Errorf("%w: ps options %q: the agent lists the processes it started in `ps -ef` form only", proto.ErrInvalid, psArgs)
	}
	t.mu.Lock()
	entries := make([]*procEntry, 0, len(t.procs))
	for e := range t.procs {
		entries = append(entries, e)
	}
	t.mu.Unlock()
	sort.Slice(entries, func(i, j int) bool { return entries[i].p.Pid() < entries[j].p.Pid() })

	res := proto.TopResult{Titles: topTitles, Processes: [][]string{}}
	now := time.Now()
	for _, e := range entries {
		res.Processes = append(res.Processes, []string{
			processUser(e.spec.User),
			strconv.Itoa(e.p.Pid()),
			// The agent is the parent, outside the process tree the
			// container shows, as for docker exec processes.
			"0",
			"0",
			stime(e.started, now),
			tty(e.spec.TTY),
			cpuTime(e.p),
			strings.Join(e.spec.Args, " "),
		})
	}
	return res, nil
}

func processUser(spec string) string {
	if spec != "" {
		name, _, _ := strings.Cut(spec, ":")
		return name
	}
	uid := strconv.Itoa(os.Getuid())
	if u, err := user.LookupId(uid); err == nil {
		return u.Username
	}
	return uid
}

// stime formats a start time as ps does: the clock today, else the date.
func stime(t, now time.Time) string {
	if t.YearDay() == now.YearDay() && t.Year() == now.Year() {
		return t.Format("15:04")
	}
	return t.Format("Jan02")
}

func tty(isTTY bool) string {
	if isTTY {
		return "pts" // the agent does not know which terminal number
	}
	return "?"
}

func cpuTime(p Process) string {
	ct, ok := p.(CPUTimer)
	if !ok {
		return "-"
	}
	d, err := ct.CPUTime()
	if err != nil {
		return "-"
	}
	s := int(d.Seconds())
	return fmt.Sprintf("%02d:%02d:%02d", s/3600, s/60%60, s%60)
}

func (a *agent) serveTop(ch *proto.Channel, psArgs string) error {
	res, err := a.procs.top(psArgs)
	if err != nil {
		return err
	}
	b, err := json.Marshal(res)
	if err != nil {
		return err
	}
	return ch.WriteData(a.ctx, proto.TypeStdout, b)
}
