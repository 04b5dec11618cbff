package binds_test

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/sockerless/sockerless/functions/call"
)

// A tree of small files, as a source checkout is: 50 MiB in 3200 files
// of 16 KiB, 32 to a directory.
const (
	benchFiles    = 3200
	benchFileSize = 16 << 10
	benchPerDir   = 32
)

// BenchmarkCopyTree measures bind copies' throughput for a 50 MiB tree
// of small files, both directions: into a held workload through its
// agent before main starts, and back into the source after main (which
// touches every file) exits. The agent is a real one on this machine
// (osproc) over a loopback WebSocket, so the figures are the edge's and
// the agent's own cost, without a network.
func BenchmarkCopyTree(b *testing.B) {
	root := b.TempDir()
	src := filepath.Join(root, "src")
	body := make([]byte, benchFileSize)
	for i := range body {
		body[i] = byte(i * 7)
	}
	for i := range benchFiles {
		p := filepath.Join(src, fmt.Sprintf("d%03d", i/benchPerDir), fmt.Sprintf("f%04d.txt", i))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(p, body, 0o644); err != nil {
			b.Fatal(err)
		}
	}
	mb := float64(benchFiles*benchFileSize) / (1 << 20)
	var inSecs, outSecs float64
	for b.Loop() {
		target := filepath.Join(b.TempDir(), "work")
		r := newRig(b, root)
		r.timeout = 5 * time.Minute // a loaded machine's 50 MiB, twice
		// Main touches every file, so all of them come back.
		res := r.runTimed(b, "find "+target+" -type f -exec touch {} +", call.Bind{Source: src, Target: target})
		if res.inErr != nil || res.code != 0 || res.outErr != nil {
			b.Fatalf("in %v, exit %d, out %v", res.inErr, res.code, res.outErr)
		}
		inSecs += res.in.Seconds()
		outSecs += res.out.Seconds()
	}
	b.ReportMetric(mb*float64(b.N)/inSecs, "MB/s-in")
	b.ReportMetric(mb*float64(b.N)/outSecs, "MB/s-out")
	b.ReportMetric(float64(benchFiles), "files")
}
