package e2e

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
)

// report collects what each scenario did on each engine and compares them.
var report = &comparison{runs: map[string]map[string][]stepRecord{}}

type comparison struct {
	mu      sync.Mutex
	runs    map[string]map[string][]stepRecord // scenario → engine → steps
	order   []string
	judged  bool
	skipped string
	// Per Sockerless engine (sockerless, the default runtime; native):
	// the scenarios that matched dockerd, and one entry per differing one.
	compared []string
	passed   map[string]int
	diffs    map[string][]string
}

func (c *comparison) record(scenario, engine string, steps []stepRecord) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.runs[scenario] == nil {
		c.runs[scenario] = map[string][]stepRecord{}
		c.order = append(c.order, scenario)
	}
	c.runs[scenario][engine] = steps
}

// judge compares each Sockerless engine with dockerd scenario by
// scenario. Exit-code differences fail t; output differences are
// logged: dockerd is a reference, not a byte-for-byte oracle (versions,
// widths and ids differ).
func (c *comparison) judge(t *testing.T, avail []*slot) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.judged = true
	c.passed, c.diffs = map[string]int{}, map[string][]string{}
	names := map[string]bool{}
	for _, s := range avail {
		names[s.name] = true
	}
	for _, a := range []string{"sockerless", "native"} {
		if names[a] && names["dockerd"] {
			c.compared = append(c.compared, a)
		}
	}
	if len(c.compared) == 0 {
		var why []string
		for _, s := range engines {
			if s.skip != "" || s.fail != "" {
				why = append(why, s.name+": "+firstLine(s.skip+s.fail))
			}
		}
		c.skipped = strings.Join(why, "; ")
		t.Skipf("comparison needs dockerd and a Sockerless engine: %s", c.skipped)
	}
	for _, a := range c.compared {
		c.judgeOne(t, a, "dockerd")
	}
	t.Log(c.stringLocked())
}

// judgeOne compares engine a with b, the reference.
func (c *comparison) judgeOne(t *testing.T, a, b string) {
	for _, name := range c.order {
		ra, okA := c.runs[name][a]
		rb, okB := c.runs[name][b]
		if !okA || !okB {
			// A scenario that failed or skipped on one engine recorded nothing there.
			c.diffs[a] = append(c.diffs[a], fmt.Sprintf("%s: ran to the end on %s only", name, map[bool]string{true: a, false: b}[okA]))
			if okB && !okA {
				// Its own subtest already failed; here it is only counted.
				t.Logf("%s: passes on dockerd but not on %s", name, a)
			}
			continue
		}
		var d []string
		codeDiff := false
		for i := 0; i < len(ra) && i < len(rb); i++ {
			x, y := ra[i], rb[i]
			if x.Code != y.Code {
				codeDiff = true
				d = append(d, fmt.Sprintf("step %d %s: exit %s %d, %s %d", i+1, y.Cmd, a, x.Code, b, y.Code))
				continue
			}
			switch x.Shape {
			case ShapeExact:
				if x.Out != y.Out {
					d = append(d, fmt.Sprintf("step %d %s: stdout differs:\n  %s: %q\n  %s: %q", i+1, y.Cmd, a, x.Out, b, y.Out))
				}
			case ShapeLines:
				if la, lb := len(nonEmptyLines(x.Out)), len(nonEmptyLines(y.Out)); la != lb {
					d = append(d, fmt.Sprintf("step %d %s: %s printed %d lines, %s %d", i+1, y.Cmd, a, la, b, lb))
				}
			}
		}
		if len(d) == 0 {
			c.passed[a]++
			continue
		}
		c.diffs[a] = append(c.diffs[a], name+":\n    "+strings.Join(d, "\n    "))
		if codeDiff {
			t.Errorf("%s: exit codes on %s differ from dockerd:\n%s", name, a, strings.Join(d, "\n"))
		} else {
			t.Logf("%s: output on %s differs from dockerd:\n%s", name, a, strings.Join(d, "\n"))
		}
	}
}

func (c *comparison) String() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.stringLocked()
}

// stringLocked is the summary: "compare: ..." for the default runtime,
// "compare native: ..." for the native one.
func (c *comparison) stringLocked() string {
	if !c.judged {
		return ""
	}
	if c.skipped != "" {
		return "compare: skipped, both engines are needed: " + c.skipped + "\n"
	}
	var sb strings.Builder
	for _, a := range c.compared {
		prefix := "compare"
		if a != "sockerless" {
			prefix += " " + a
		}
		for _, d := range c.diffs[a] {
			sb.WriteString(prefix + ": differs: " + d + "\n")
		}
		fmt.Fprintf(&sb, "%s: %d passed, %d failed\n", prefix, c.passed[a], len(c.diffs[a]))
	}
	return sb.String()
}

var normalisers = []struct {
	re   *regexp.Regexp
	with string
}{
	{regexp.MustCompile(`sha256:[0-9a-f]{64}`), "<digest>"},
	{regexp.MustCompile(`\b[0-9a-f]{64}\b`), "<id>"},
	{regexp.MustCompile(`\b[0-9a-f]{12}\b`), "<id>"},
	{regexp.MustCompile(`\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)`), "<time>"},
	{regexp.MustCompile(`(Less than a second|About an? \w+|an? \w+|\d+ \w+) ago`), "<ago>"},
	{regexp.MustCompile(`Up (Less than a second|About an? \w+|an? \w+|\d+ \w+)`), "Up <dur>"},
	{regexp.MustCompile(`\b\d+(\.\d+)?\s?(B|kB|KB|MB|GB|KiB|MiB|GiB)\b`), "<size>"},
	{regexp.MustCompile(`[ \t]{2,}`), " "},
}

// normalise makes stdout comparable across engines: the session's own
// values (names, dirs, registry address) become their placeholders, and
// ids, digests, times and sizes become tokens.
func normalise(s *Session, out string) string {
	keys := make([]string, 0, len(s.Vars))
	for k, v := range s.Vars {
		if len(v) >= 4 {
			keys = append(keys, k)
		}
	}
	// Longest value first so a name is not replaced inside a longer name.
	sort.Slice(keys, func(i, j int) bool { return len(s.Vars[keys[i]]) > len(s.Vars[keys[j]]) })
	for _, k := range keys {
		out = strings.ReplaceAll(out, s.Vars[k], "@"+k+"@")
	}
	for _, n := range normalisers {
		out = n.re.ReplaceAllString(out, n.with)
	}
	return out
}

func firstLine(s string) string {
	l, _, _ := strings.Cut(s, "\n")
	return l
}

func TestNormalise(t *testing.T) {
	s := &Session{Vars: map[string]string{"name": "e2e-abcdef0123", "dir": "/tmp/x/001", "short": "ab"}}
	for _, tc := range []struct{ in, want string }{
		{"e2e-abcdef0123-run\n", "@name@-run\n"},
		{"/tmp/x/001/out.txt", "@dir@/out.txt"},
		{"ab", "ab"}, // values too short to be telling stay as they are
		{"sha256:" + strings.Repeat("a1", 32), "<digest>"},
		{strings.Repeat("0f", 32) + "\n", "<id>\n"},
		{"c8281cecc151   bridge    bridge    local", "<id> bridge bridge local"},
		{"2026-11-23T16:27:02.409315188Z got TERM", "<time> got TERM"},
		{"Exited (0) 2 seconds ago", "Exited (0) <ago>"},
		{"Up Less than a second", "Up <dur>"},
		{"Images 2 0 1.986MB 1.986MB (100%)", "Images 2 0 <size> <size> (100%)"},
		{"hello world\n", "hello world\n"},
	} {
		if got := normalise(s, tc.in); got != tc.want {
			t.Errorf("normalise(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
