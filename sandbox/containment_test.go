package sandbox

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// TestContainment runs escape and exhaustion attempts in the sandbox;
// each must be contained, and each logs how.
// It runs beside a CPU hog, as on a loaded machine: a limit must hold,
// and a kill take effect, however the work is scheduled.
func TestContainment(t *testing.T) {
	saturate(t)
	for _, tc := range []struct {
		name string
		slow bool // skipped under -race, which makes it take several times longer
		run  func(t *testing.T) string
	}{
		{name: "path traversal", run: pathTraversal},
		{name: "symlink to a host directory", run: hostSymlink},
		{name: "symlink race swapping a directory for /etc", slow: true, run: symlinkRace},
		{name: "symlink race against changes and listings", slow: true, run: symlinkSwapChanges},
		{name: "writes to /proc", run: procWrites},
		{name: "huge input buffered by a utility", run: bufferAllocation},
		{name: "kill while a utility buffers", run: killBuffering},
		{name: "huge allocation in a WASI module", run: wasiAllocation},
		{name: "commands and docker exec past the process limit", run: pidsLimit},
		{name: "children of utilities past the process limit", run: utilityChildren},
		{name: "fork bomb", run: forkBomb},
		{name: "endless recursion", slow: true, run: recursion},
		{name: "infinite loop", run: infiniteLoop},
		{name: "endless output", run: endlessOutput},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.slow && raceEnabled {
				t.Skip("slow under the race detector; run without -race")
			}
			t.Logf("contained: %s", tc.run(t))
		})
	}
}

// hostFiles is a host directory outside every container root holding a
// secret, and the host's /etc/passwd if there is one.
func hostFiles(t *testing.T) (dir, passwd string) {
	dir = t.TempDir()
	files(t, dir, map[string]string{"secret": "HOST SECRET\n"})
	b, _ := os.ReadFile("/etc/passwd")
	return dir, string(b)
}

// leaked reports output that came from the host.
func leaked(out, hostPasswd string) bool {
	return strings.Contains(out, "HOST SECRET") || (len(hostPasswd) > 20 && strings.Contains(out, hostPasswd[:20]))
}

func pathTraversal(t *testing.T) string {
	outside, passwd := hostFiles(t)
	root := t.TempDir()
	files(t, root, map[string]string{"etc/passwd": "container\n", "w/": ""})
	rel, err := filepath.Rel(filepath.Join(root, "w"), outside)
	if err != nil {
		t.Fatal(err)
	}
	r := run(t, Spec{Root: root, Dir: "/w", Args: sh(`
cat ../../../../../../../etc/passwd
cat ` + rel + `/secret
cat ` + outside + `/secret
cat /proc/self/root/etc/passwd /proc/1/root/etc/passwd /proc/self/cwd/secret
cd ../../../..; cat etc/passwd; pwd`)}, "")
	if leaked(r.stdout, passwd) {
		t.Fatalf("read the host: %q", r.stdout)
	}
	if r.stdout != "container\ncontainer\n/\n" {
		t.Fatalf("stdout %q, want the container's passwd twice; stderr %q", r.stdout, r.stderr)
	}
	return "dotdot stops at the container root; host paths and /proc/*/root name nothing"
}

func hostSymlink(t *testing.T) string {
	outside, passwd := hostFiles(t)
	root := t.TempDir()
	files(t, root, map[string]string{"l": "->" + outside, "w/up": "->../../../../../../.."})
	r := run(t, Spec{Root: root, Args: sh(`cat /l/secret; cat /w/up` + outside + `/secret; ln -s ` + outside + ` /m && cat /m/secret; echo end`)}, "")
	if leaked(r.stdout, passwd) || r.stdout != "end\n" {
		t.Fatalf("stdout %q stderr %q", r.stdout, r.stderr)
	}
	return "absolute and climbing symlinks resolve inside the root"
}

// symlinkRace swaps a directory the reader names for a symlink to /etc,
// so that a path resolved inside the root would, if opened as resolved,
// lead to the host's /etc.
func symlinkRace(t *testing.T) string {
	_, passwd := hostFiles(t)
	if passwd == "" {
		t.Skip("no host /etc/passwd to tell apart")
	}
	root := t.TempDir()
	files(t, root, map[string]string{"etc/passwd": "container\n", "w/d/passwd": "inside\n"})
	const n = "100"
	r := run(t, Spec{Root: root, Args: sh(`
( i=0; while [ $i -lt ` + n + ` ]; do mv /w/d /w/real; ln -s /etc /w/d; rm /w/d; mv /w/real /w/d; i=$((i+1)); done ) &
for r in 1 2 3; do ( i=0; while [ $i -lt ` + n + ` ]; do cat /w/d/passwd 2>/dev/null; i=$((i+1)); done ) & done
wait`)}, "")
	if leaked(r.stdout, passwd) {
		t.Fatalf("read the host's /etc/passwd through the race")
	}
	inside, etc := strings.Count(r.stdout, "inside"), strings.Count(r.stdout, "container")
	if inside == 0 {
		t.Fatalf("the reader never read; stdout %.200q stderr %.200q", r.stdout, r.stderr)
	}
	return strings.Join([]string{n, "swaps:", strconv.Itoa(inside), "reads of the directory,", strconv.Itoa(etc), "of the container's /etc, none of the host's"}, " ")
}

func procWrites(t *testing.T) string {
	before, _ := os.ReadFile("/proc/sys/kernel/sysrq")
	r := run(t, Spec{Args: sh(`
for f in /proc/self/mem /proc/self/oom_score_adj /proc/sys/kernel/sysrq /proc/sysrq-trigger /proc/1/environ /proc/self/../1/mem; do
  if echo 1 > $f; then echo "wrote $f"; fi
done 2>/dev/null
mkdir -p /proc/x 2>/dev/null && echo "made /proc/x"
ls /proc 2>/dev/null | head -1
echo end`)}, "")
	if r.stdout != "end\n" {
		t.Fatalf("stdout %q stderr %q", r.stdout, r.stderr)
	}
	if after, _ := os.ReadFile("/proc/sys/kernel/sysrq"); string(after) != string(before) {
		t.Fatalf("host sysrq changed: %q -> %q", before, after)
	}
	return "every write under /proc fails; the container has no /proc"
}

func bufferAllocation(t *testing.T) string {
	r := run(t, Spec{Memory: 4 << 20, Args: sh(`
yes 0123456789 | sort; echo "sort=$?"
yes 0123456789 | tail -n 1; echo "tail=$?"
yes 0123456789 | uniq -c; echo "uniq=$?"
yes | tr -d '\n' | rev; echo "rev=$?"
yes | od; echo "od=$?"
seq 1000 | sort -n | tail -n 1`)}, "")
	want := "sort=1\ntail=1\nuniq=1\nrev=1\nod=1\n1000\n"
	if r.stdout != want {
		t.Fatalf("stdout %q, want %q; stderr %q", r.stdout, want, r.stderr)
	}
	for _, name := range []string{"sort", "tail", "uniq", "rev", "od"} {
		if !strings.Contains(r.stderr, name+": out of memory") {
			t.Errorf("stderr %q lacks %s's report", r.stderr, name)
		}
	}
	return "sort, tail, uniq, rev and od of endless input stop at their share of a 4 MiB limit (raised to the module's floor) with \"out of memory\", status 1"
}

// killBuffering kills a sort still reading endless input under the
// default limit: it must not sort what it read before ending.
func killBuffering(t *testing.T) string {
	p, _ := start(t, sh(`echo ready; yes 0123456789 | sort | head -n 1`), "ready")
	time.Sleep(300 * time.Millisecond)
	killed := time.Now()
	p.Signal(syscall.SIGKILL)
	select {
	case <-p.Done():
	case <-time.After(time.Second):
		t.Fatal("sort outlived SIGKILL by a second")
	}
	return "SIGKILL ended a sort holding 300 ms of yes in " + time.Since(killed).Round(time.Millisecond).String()
}

func wasiAllocation(t *testing.T) string {
	if _, err := wasmEngine(); err != nil {
		t.Skipf("no WASI utilities here: %v", err)
	}
	start := time.Now()
	r := run(t, Spec{Memory: 32 << 20, Args: sh(`awk 'BEGIN { s = "0123456789"; while (1) s = s s }'; echo "awk=$?"`)}, "")
	if !strings.HasPrefix(r.stdout, "awk=") || r.stdout == "awk=0\n" || !strings.Contains(r.stderr, "out of memory") {
		t.Fatalf("stdout %q stderr %.300q", r.stdout, r.stderr)
	}
	return "awk doubling a string dies at 32 MiB after " + time.Since(start).Round(time.Millisecond).String() + ": " + strings.TrimSpace(r.stdout)
}

// pidsLimit fills a container's only slot with its main process: every
// further process fails to start, as a fork would.
func pidsLimit(t *testing.T) string {
	root := t.TempDir()
	files(t, root, map[string]string{"etc/hostname": "box"})
	p, out := startSpec(t, Spec{Root: root, PidsLimit: 1, Args: sh(`echo ready
env true; echo "env=$?"
(echo in subshell); echo "subshell=$?"
echo piped | cat; echo "pipe=$?"
x=$(echo substituted); echo "cmdsubst=$? $x"
read y < <(echo substituted); echo "procsubst=$? $y"
x=$(</etc/hostname); echo "read file: $x"
read line; echo "builtins run: $line"`)}, "ready")
	if _, err := Start(context.Background(), Spec{Root: root, Args: sh("echo exec")}, Stdio{}); err == nil || !strings.Contains(err.Error(), "can't fork") {
		t.Fatalf("docker exec past the limit: %v", err)
	}
	out.stdin.Write([]byte("yes\n"))
	if code := waitCode(t, p); code != 0 {
		t.Fatalf("code %d output %q", code, out.String())
	}
	want := "ready\nsh: can't fork: Resource temporarily unavailable\nenv=2\n" +
		"sh: can't fork: Resource temporarily unavailable\nsubshell=1\n" +
		"sh: can't fork: Resource temporarily unavailable\nsh: can't fork: Resource temporarily unavailable\npipe=1\n" +
		"sh: can't fork: Resource temporarily unavailable\ncmdsubst=1 \n" +
		"sh: can't fork: Resource temporarily unavailable\nprocsubst=1 \n" +
		"read file: box\n" +
		"builtins run: yes\n"
	if out.String() != want {
		t.Fatalf("output %q, want %q", out.String(), want)
	}
	return "with --pids-limit 1, commands (status 2), subshells, pipelines, $(...), <(...) (status 1) and docker exec fail with \"can't fork\"; builtins and $(<file) still run"
}

// utilityChildren fills a container's two slots with its shell and a
// utility of the WASI module that runs a command: the command, started
// through the host's exec, fails to start as the shell's would.
func utilityChildren(t *testing.T) string {
	if _, err := wasmEngine(); err != nil {
		t.Skipf("no WASI utilities here: %v", err)
	}
	r := run(t, Spec{PidsLimit: 2, Args: sh(`env true; echo "env=$?"; timeout 5 true; echo "timeout=$?"; env echo past`)}, "")
	if r.stdout != "env=2\ntimeout=2\n" || strings.Count(r.stderr, "sh: can't fork: Resource temporarily unavailable\n") != 3 {
		t.Fatalf("stdout %q stderr %q", r.stdout, r.stderr)
	}
	return "with --pids-limit 2, what env and timeout start fails with \"can't fork\", status 2"
}

// forkBomb runs the classic bomb under a small limit beside a busy loop,
// watches the container's count stay at the limit, then kills it all.
func forkBomb(t *testing.T) string {
	const limit = 64
	root := t.TempDir()
	goBefore := runtime.NumGoroutine()
	var errs countWriter
	p, err := Start(context.Background(), Spec{Root: root, PidsLimit: limit,
		Args: sh(`f() { f | f & }; f; while :; do :; done`)}, Stdio{Stderr: &errs})
	if err != nil {
		t.Fatal(err)
	}
	c := pidsOf(root)
	peak, peakGo := int64(0), 0
	for end := time.Now().Add(700 * time.Millisecond); time.Now().Before(end); time.Sleep(2 * time.Millisecond) {
		peak = max(peak, c.live.Load())
		peakGo = max(peakGo, runtime.NumGoroutine())
	}
	if peak > limit {
		t.Fatalf("%d processes live, limit %d", peak, limit)
	}
	// Each process is a goroutine or a few (a pipeline's copy, a
	// command's watcher); unbounded growth would be thousands.
	if peakGo-goBefore > 8*limit {
		t.Fatalf("goroutines grew from %d to %d", goBefore, peakGo)
	}
	killed := time.Now()
	p.Signal(syscall.SIGKILL)
	select {
	case <-p.Done():
	case <-time.After(time.Second):
		t.Fatal("the bomb outlived SIGKILL by a second")
	}
	took := time.Since(killed)
	if code := p.Wait(); code != 137 {
		t.Fatalf("code %d", code)
	}
	// The background jobs end with the process's context.
	for end := time.Now().Add(2 * time.Second); c.live.Load() > 0 && time.Now().Before(end); {
		time.Sleep(5 * time.Millisecond)
	}
	if n := c.live.Load(); n > 0 {
		t.Fatalf("%d processes outlived the kill", n)
	}
	if first := errs.first.Load(); first == nil || *first != "sh: can't fork: Resource temporarily unavailable\n" {
		t.Fatalf("no fork failed as ash reports it (limit never reached?); first stderr write %v", first)
	}
	return "at most " + strconv.Itoa(int(peak)) + " of " + strconv.Itoa(limit) + " processes, " + strconv.Itoa(peakGo-goBefore) + " goroutines more at the peak; failed forks reported (" + strconv.Itoa(int(errs.n.Load())) + " bytes of \"can't fork\"); SIGKILL ended it all in " + took.Round(time.Millisecond).String()
}

func recursion(t *testing.T) string {
	// The interpreter parses eval's program, sourced files and traps
	// itself; each is counted too.
	r := run(t, Spec{Args: sh(`f() { f; }; f; echo "f=$?"
echo 'g() { g; }; g' > /lib.sh; . /lib.sh; echo "g=$?"
eval 'h() { h; }; h'; echo "h=$?"
trap 'e() { e; }; e; echo "e=$?"' EXIT`)}, "")
	if r.stdout != "f=1\ng=1\nh=1\ne=1\n" || strings.Count(r.stderr, "maximum function nesting level exceeded") != 4 {
		t.Fatalf("stdout %q stderr %.300q", r.stdout, r.stderr)
	}
	return "a function calling itself, defined in the script, a sourced file, eval or a trap, fails at " + strconv.Itoa(maxFrames) + " levels instead of overflowing the host's stack"
}

func infiniteLoop(t *testing.T) string {
	var took []string
	for _, loop := range []string{
		`while :; do :; done`,           // the shell's
		`awk 'BEGIN { while (1) x++ }'`, // in the WASI module, no I/O
		`awk 'function f(n) { return n } BEGIN { for (;;) f(1) }'`,
		`echo x | sed ':a; s/x/x/; ba'`, // sed's branch
	} {
		p, _ := start(t, sh(`echo ready; `+loop), "ready")
		time.Sleep(100 * time.Millisecond)
		killed := time.Now()
		p.Signal(syscall.SIGKILL)
		select {
		case <-p.Done():
		case <-time.After(time.Second):
			t.Fatalf("%s outlived SIGKILL by a second", loop)
		}
		if code := p.Wait(); code != 137 {
			t.Fatalf("%s: code %d", loop, code)
		}
		took = append(took, fmt.Sprintf("%s in %s", loop, time.Since(killed).Round(time.Millisecond)))
	}
	return "SIGKILL ended " + strings.Join(took, ", ")
}

// endlessOutput runs yes into a slow reader, as a log sink or an attached
// client behind flow control is: the sandbox must block, not buffer.
func endlessOutput(t *testing.T) string {
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	out := &slowWriter{}
	p, err := Start(context.Background(), Spec{Root: t.TempDir(), Args: []string{"yes"}}, Stdio{Stdout: out})
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(time.Second)
	runtime.GC()
	runtime.ReadMemStats(&after)
	p.Signal(syscall.SIGKILL)
	select {
	case <-p.Done():
	case <-time.After(time.Second):
		t.Fatal("yes outlived SIGKILL by a second")
	}
	grew := int64(after.HeapInuse) - int64(before.HeapInuse)
	if grew > 64<<20 {
		t.Fatalf("heap grew %d MiB while yes wrote %d MiB", grew>>20, out.n.Load()>>20)
	}
	return "yes wrote " + strconv.Itoa(int(out.n.Load()>>10)) + " KiB to a slow reader in 1s; the heap grew " + strconv.Itoa(int(grew>>10)) + " KiB; SIGKILL ended it"
}

// saturate spins a goroutine per CPU until the test ends. Each yields
// after a millisecond of spinning, as an operating system's scheduler
// takes the CPU back from a busy neighbour: every CPU stays busy, and
// the sandbox's goroutines wait their turn for one, without the ten
// milliseconds Go's own preemption would leave each of them waiting.
func saturate(t *testing.T) {
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range runtime.NumCPU() {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				for start := time.Now(); time.Since(start) < time.Millisecond; {
				}
				runtime.Gosched()
			}
		}()
	}
	t.Cleanup(func() {
		close(stop)
		wg.Wait()
	})
}

// pidsOf is the live count of the container at root.
func pidsOf(root string) *pids {
	limits.Lock()
	defer limits.Unlock()
	return limits.byRoot[root]
}

// countWriter counts what is written and keeps the first write.
type countWriter struct {
	n     atomic.Int64
	first atomic.Pointer[string]
}

func (w *countWriter) Write(p []byte) (int, error) {
	s := string(p)
	w.first.CompareAndSwap(nil, &s)
	w.n.Add(int64(len(p)))
	return len(p), nil
}

// slowWriter takes 4 KiB a millisecond, much less than yes writes.
type slowWriter struct{ n atomic.Int64 }

func (w *slowWriter) Write(p []byte) (int, error) {
	time.Sleep(time.Millisecond)
	w.n.Add(int64(len(p)))
	return len(p), nil
}

// session is a started process's combined output and its stdin.
type session struct {
	syncBuffer
	stdin *io.PipeWriter
}

// startSpec starts spec with an open stdin and waits until the output
// contains ready.
func startSpec(t *testing.T, spec Spec, ready string) (*Process, *session) {
	t.Helper()
	s := &session{}
	stdin, w := io.Pipe()
	s.stdin = w
	t.Cleanup(func() { w.Close() })
	p, err := Start(context.Background(), spec, Stdio{Stdin: stdin, Stdout: s, Stderr: s})
	if err != nil {
		t.Fatal(err)
	}
	for end := hangAt(t); !strings.Contains(s.String(), ready); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(end) {
			t.Fatalf("never printed %q: %q", ready, s.String())
		}
	}
	return p, s
}
