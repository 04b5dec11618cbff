package computetest

import (
	"archive/tar"
	"fmt"
	"io"
	"testing"

	"github.com/sockerless/sockerless/functions/core"
)

// linger checks a core.Lingerer: its workload outlives main's exit,
// which the agent reports at once, serving the container's files, and
// ends once the linger has passed, with main's exit code in its status.
func (s *suite) linger(t *testing.T) {
	l, ok := s.Compute.(core.Lingerer)
	if !ok {
		t.Skip("the driver's workloads end with main")
	}
	if d, _ := l.Linger(); d <= 0 {
		t.Skip("configured to end workloads with main")
	}
	w := s.workload(`echo built > /artifact; exit 3`)
	s.start(t, w)
	s.wantExit(t, w.ID, 3)
	if st := s.status(t, w.ID); !st.Running {
		t.Errorf("status right after the exit: %+v; want the workload still up, serving its files", st)
	}
	sess, err := s.hub.Session(t.Context(), w.ID)
	if err != nil {
		t.Fatalf("the lingering workload's agent: %v", err)
	}
	_, rc, err := sess.ArchiveGet(t.Context(), "/artifact")
	if err != nil {
		t.Fatalf("docker cp out of the exited container: %v", err)
	}
	tr := tar.NewReader(rc)
	if _, err := tr.Next(); err != nil {
		t.Fatal(err)
	}
	if b, _ := io.ReadAll(tr); string(b) != "built\n" {
		t.Errorf("copied file holds %q, want %q", b, "built\n")
	}
	rc.Close()
	s.eventually(t, "status once the linger has passed", func() string {
		st := s.status(t, w.ID)
		switch {
		case st.Running:
			return "still running"
		case s.ExitInStatus && st.ExitCode != 3:
			return fmt.Sprintf("exit code %d, want main's 3", st.ExitCode)
		}
		return ""
	})
}
