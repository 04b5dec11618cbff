package e2e

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sockerless/sockerless/e2e/harness"
)

// The shell-and-utilities corpus: short scripts run with `sh -c` in a
// container of the test image on each engine, stdout and exit code
// compared byte for byte with the reference dockerd's busybox. A
// difference is reported, not failed, unless the script is listed in
// corpus/must-match.txt: those matched once and must keep matching.
// SOCKERLESS_CORPUS_WRITE=1 rewrites that list with every script that
// matches now.

const (
	corpusDir      = "corpus"
	corpusMustFile = "must-match.txt"
	corpusWorkers  = 4
	corpusBatch    = 27 // scripts a container runs
	corpusTimeout  = 90 * time.Second
)

// corpusScript is one script of the corpus.
type corpusScript struct {
	Name, File, Body string
}

// loadCorpus reads corpus/*.sh: "## name" starts a script, which runs
// to the next such line.
func loadCorpus() ([]corpusScript, error) {
	files, err := filepath.Glob(filepath.Join(corpusDir, "*.sh"))
	if err != nil {
		return nil, err
	}
	sort.Strings(files)
	var out []corpusScript
	seen := map[string]string{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		var cur *corpusScript
		for _, line := range strings.SplitAfter(string(b), "\n") {
			if name, ok := strings.CutPrefix(line, "## "); ok {
				name = strings.TrimSpace(name)
				if prev, dup := seen[name]; dup {
					return nil, fmt.Errorf("%s: script %q already defined in %s", f, name, prev)
				}
				seen[name] = f
				out = append(out, corpusScript{Name: name, File: filepath.Base(f)})
				cur = &out[len(out)-1]
				continue
			}
			if cur == nil {
				if strings.TrimSpace(line) != "" {
					return nil, fmt.Errorf("%s: text before the first \"## name\" line", f)
				}
				continue
			}
			cur.Body += line
		}
	}
	return out, nil
}

func loadMustMatch() (map[string]bool, error) {
	f, err := os.Open(filepath.Join(corpusDir, corpusMustFile))
	if os.IsNotExist(err) {
		return map[string]bool{}, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	out := map[string]bool{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if l := strings.TrimSpace(sc.Text()); l != "" && !strings.HasPrefix(l, "#") {
			out[l] = true
		}
	}
	return out, sc.Err()
}

// corpusRunner runs each script given as an argument in its own sh,
// and frames what it did: a header line "@@corpus INDEX CODE OUTLEN
// ERRLEN", then its stdout and stderr, byte for byte. It is plain POSIX
// sh, so both engines run the same thing.
const corpusRunner = `i=0
for s in "$@"; do
  i=$((i+1))
  sh -c "$s" > /tmp/.corpus.out 2> /tmp/.corpus.err < /dev/null
  c=$?
  printf '@@corpus %d %d %d %d\n' "$i" "$c" "$(wc -c < /tmp/.corpus.out)" "$(wc -c < /tmp/.corpus.err)"
  cat /tmp/.corpus.out /tmp/.corpus.err
done`

// runCorpus runs the scripts on e in batches, one container a batch
// (a container start costs far more than a script), a few at a time.
func runCorpus(e *harness.Engine, scripts []corpusScript) []harness.Result {
	out := make([]harness.Result, len(scripts))
	batches := make(chan [2]int)
	var wg sync.WaitGroup
	for range corpusWorkers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for b := range batches {
				runBatch(e, scripts[b[0]:b[1]], out[b[0]:b[1]])
			}
		}()
	}
	for lo := 0; lo < len(scripts); lo += corpusBatch {
		batches <- [2]int{lo, min(lo+corpusBatch, len(scripts))}
	}
	close(batches)
	wg.Wait()
	return out
}

// runBatch runs scripts in one container and fills out from the framed
// output; a script the batch never reported on gets code -1 and why.
func runBatch(e *harness.Engine, scripts []corpusScript, out []harness.Result) {
	args := []string{"run", "--rm", "--log-driver", "none", TestImage, "sh", "-c", corpusRunner, "sh"}
	for _, sc := range scripts {
		args = append(args, sc.Body)
	}
	r := e.DockerWith(harness.RunOpts{Timeout: corpusTimeout}, args...)
	done := parseFrames(r.Stdout, out)
	for i := done; i < len(out); i++ {
		out[i] = harness.Result{Code: -1, Stderr: fmt.Sprintf("the batch stopped before this script (docker run exit %d): %s", r.Code, r.Stderr)}
	}
}

// parseFrames reads corpusRunner's frames into out and returns how many
// scripts it reported on.
func parseFrames(s string, out []harness.Result) int {
	n := 0
	for n < len(out) {
		line, rest, ok := strings.Cut(s, "\n")
		if !ok {
			return n
		}
		var idx, code, olen, elen int
		if _, err := fmt.Sscanf(line, "@@corpus %d %d %d %d", &idx, &code, &olen, &elen); err != nil || idx != n+1 || olen+elen > len(rest) {
			return n
		}
		out[n] = harness.Result{Code: code, Stdout: rest[:olen], Stderr: rest[olen : olen+elen]}
		s = rest[olen+elen:]
		n++
	}
	return n
}

func TestCorpus(t *testing.T) {
	scripts, err := loadCorpus()
	if err != nil {
		t.Fatal(err)
	}
	must, err := loadMustMatch()
	if err != nil {
		t.Fatal(err)
	}
	for name := range must {
		if !slicesContainsName(scripts, name) {
			t.Errorf("%s names %q, which is not in the corpus", corpusMustFile, name)
		}
	}
	if len(scripts) < 150 {
		t.Errorf("the corpus has %d scripts; it should keep at least 150", len(scripts))
	}
	var sl, ref *slot
	for _, s := range engines {
		switch s.name {
		case "sockerless":
			sl = s
		case "dockerd":
			ref = s
		}
	}
	e := sl.use(t)
	if !rootfs.HasBusybox {
		t.Skipf("test image has no binaries: %s", rootfs.Why)
	}
	start := time.Now()
	got := runCorpus(e, scripts)
	t.Logf("sockerless ran %d scripts in %s", len(scripts), time.Since(start).Round(time.Millisecond))
	if ref == nil || ref.e == nil || ref.skip != "" || ref.fail != "" {
		why := "no reference dockerd"
		if ref != nil {
			why += ": " + ref.skip + ref.fail
		}
		fmt.Printf("corpus: %d scripts ran on sockerless; not compared (%s)\n", len(scripts), why)
		t.Skip(why)
	}
	start = time.Now()
	want := runCorpus(ref.e, scripts)
	t.Logf("dockerd ran %d scripts in %s", len(scripts), time.Since(start).Round(time.Millisecond))

	var passed, failed int
	var matching []string
	for i, sc := range scripts {
		g, w := got[i], want[i]
		if g.Stdout == w.Stdout && g.Code == w.Code {
			passed++
			matching = append(matching, sc.Name)
			continue
		}
		failed++
		report := t.Logf
		if must[sc.Name] {
			report = t.Errorf
		}
		report("corpus %s/%s differs:\n--- script\n%s--- dockerd (exit %d)\n%s--- stderr\n%s--- sockerless (exit %d)\n%s--- stderr\n%s",
			sc.File, sc.Name, sc.Body, w.Code, w.Stdout, w.Stderr, g.Code, g.Stdout, g.Stderr)
	}
	line := fmt.Sprintf("corpus: %d passed, %d failed", passed, failed)
	t.Logf("%s (%d of the corpus must match)", line, len(must))
	fmt.Println(line)
	if os.Getenv("SOCKERLESS_CORPUS_WRITE") == "1" {
		body := "# Corpus scripts whose output and exit code matched dockerd's; a\n# difference in any of them fails TestCorpus. Rewritten by\n# SOCKERLESS_CORPUS_WRITE=1 go test -run TestCorpus.\n" + strings.Join(matching, "\n") + "\n"
		if err := os.WriteFile(filepath.Join(corpusDir, corpusMustFile), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func slicesContainsName(scripts []corpusScript, name string) bool {
	for _, s := range scripts {
		if s.Name == name {
			return true
		}
	}
	return false
}

func TestParseFrames(t *testing.T) {
	tests := []struct {
		name   string
		stream string
		want   []harness.Result
		n      int
	}{
		{"two scripts, output without newline", "@@corpus 1 0 3 0\nabc@@corpus 2 3 0 4\nerr\n",
			[]harness.Result{{Stdout: "abc"}, {Code: 3, Stderr: "err\n"}}, 2},
		{"output holding a header-like line", "@@corpus 1 0 17 0\n@@corpus 2 0 0 0\n",
			[]harness.Result{{Stdout: "@@corpus 2 0 0 0\n"}, {}}, 1},
		{"truncated body", "@@corpus 1 0 10 0\nabc", []harness.Result{{}, {}}, 0},
		{"out of order", "@@corpus 2 0 0 0\n", []harness.Result{{}, {}}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := make([]harness.Result, len(tt.want))
			if n := parseFrames(tt.stream, got); n != tt.n {
				t.Errorf("reported %d scripts, want %d", n, tt.n)
			}
			for i := range tt.n {
				if got[i] != tt.want[i] {
					t.Errorf("script %d: %+v, want %+v", i+1, got[i], tt.want[i])
				}
			}
		})
	}
}
