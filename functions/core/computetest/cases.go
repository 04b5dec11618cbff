package computetest

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/moby/moby/api/types/container"
	"github.com/sockerless/sockerless/functions/core"
)

// lines is how many lines the exiting workload writes. The reads that
// follow them as they arrive go on from each other's cursors.
const lines = 2000

// runToExit runs a workload to its exit and reads its output back.
func (s *suite) runToExit(t *testing.T) {
	w := s.workload(fmt.Sprintf(`i=0; while [ $i -lt %d ]; do echo "line $i"; i=$((i+1)); done; echo oops >&2; exit 3`, lines))
	s.start(t, w)
	s.wantExit(t, w.ID, 3)
	if s.ExitInStatus {
		s.eventually(t, "status after the exit", func() string {
			st := s.status(t, w.ID)
			switch {
			case !st.Known:
				return "the driver has no trace of the workload"
			case st.Running:
				return "still running"
			case st.ExitCode != 3:
				return fmt.Sprintf("exit code %d, want 3", st.ExitCode)
			case st.FinishedAt.IsZero():
				return "no FinishedAt"
			}
			return ""
		})
	}
	t.Run("LogsPageWithACursor", func(t *testing.T) {
		var want strings.Builder
		for i := range lines {
			fmt.Fprintf(&want, "line %d\n", i)
		}
		wantErr := "oops\n"
		if s.OneStream {
			want.WriteString(wantErr)
			wantErr = ""
		}
		var out, errs strings.Builder
		cursor := ""
		s.eventually(t, "logs", func() string {
			entries, next, err := s.Compute.Logs(t.Context(), w.ID, cursor)
			if err != nil {
				t.Fatalf("Logs from %q: %v", cursor, err)
			}
			for _, e := range entries {
				switch e.Stream {
				case 1:
					out.Write(e.Data)
				case 2:
					errs.Write(e.Data)
				default:
					t.Fatalf("entry on stream %d: %q", e.Stream, e.Data)
				}
			}
			cursor = next
			if out.Len() < want.Len() || errs.Len() < len(wantErr) {
				return fmt.Sprintf("%d bytes of stdout and %q on stderr so far", out.Len(), errs.String())
			}
			return ""
		})
		if out.String() != want.String() {
			t.Errorf("stdout read page by page is not what was written (%d bytes, want %d): a cursor repeats or skips", out.Len(), want.Len())
		}
		if errs.String() != wantErr {
			t.Errorf("stderr %q, want %q", errs.String(), wantErr)
		}
		entries, _, err := s.Compute.Logs(t.Context(), w.ID, cursor)
		if err != nil || len(entries) > 0 {
			t.Errorf("Logs from the last cursor: %d entries, %v; want none", len(entries), err)
		}
	})
	t.Run("RemoveFreesIt", func(t *testing.T) {
		if err := s.Compute.Remove(t.Context(), w.ID); err != nil {
			t.Fatalf("Remove: %v", err)
		}
		if st := s.status(t, w.ID); st.Running {
			t.Errorf("status after Remove: %+v", st)
		}
		entries, _, err := s.Compute.Logs(t.Context(), w.ID, "")
		if err != nil || len(entries) > 0 {
			t.Errorf("Logs after Remove: %d entries, %v; want none", len(entries), err)
		}
	})
}

// wantExit waits for the agent's report of id's exit.
func (s *suite) wantExit(t *testing.T, id string, code int) {
	t.Helper()
	select {
	case got := <-s.exitOf(id):
		if got != code {
			t.Fatalf("exit code %d, want %d", got, code)
		}
	case <-time.After(s.Settle):
		st, err := s.Compute.Status(t.Context(), id)
		t.Fatalf("no exit reported within %v; status %+v, %v", s.Settle, st, err)
	}
}

// unknown asks about a workload the driver never ran: it has no trace
// of it, and stopping or removing it again (a retried call) is no error.
func (s *suite) unknown(t *testing.T) {
	id := newID()
	if st := s.status(t, id); st.Known || st.Running {
		t.Errorf("status of an unknown workload: %+v", st)
	}
	if entries, _, err := s.Compute.Logs(t.Context(), id, ""); err != nil || len(entries) > 0 {
		t.Errorf("Logs of an unknown workload: %d entries, %v", len(entries), err)
	}
	if err := s.Compute.Stop(t.Context(), id); err != nil {
		t.Errorf("Stop of an unknown workload: %v", err)
	}
	if err := s.Compute.Remove(t.Context(), id); err != nil {
		t.Errorf("Remove of an unknown workload: %v", err)
	}
}

// stop ends a running workload without its agent's help.
func (s *suite) stop(t *testing.T) {
	w := s.workload(`echo ready; read line`)
	w.Main.Stdin = true // read waits for input that never comes
	s.start(t, w)
	ctx, cancel := context.WithTimeout(t.Context(), s.Settle)
	defer cancel()
	if _, err := s.hub.Session(ctx, w.ID); err != nil {
		t.Fatalf("the agent did not dial in: %v", err)
	}
	s.eventually(t, "status of the started workload", func() string {
		if st := s.status(t, w.ID); !st.Known || !st.Running {
			return fmt.Sprintf("%+v, want running", st)
		}
		return ""
	})
	if m, ok := s.Compute.(core.Meter); ok {
		t.Run("Meter", func(t *testing.T) {
			st, err := m.Stats(t.Context(), w.ID)
			if err != nil {
				t.Fatalf("Stats of a running workload: %v", err)
			}
			if st.Read.IsZero() {
				t.Errorf("Stats has no read time: %+v", st)
			}
		})
	}
	if err := s.Compute.Stop(t.Context(), w.ID); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	s.eventually(t, "status after Stop", func() string {
		if st := s.status(t, w.ID); st.Running {
			return fmt.Sprintf("%+v, want stopped", st)
		}
		return ""
	})
}

// volumes checks a driver's named volumes: a name is one place, and
// removing it twice (a retried call) is no error.
func (s *suite) volumes(t *testing.T) {
	v, ok := s.Compute.(core.Volumes)
	if !ok {
		t.Skip("the driver holds no volumes")
	}
	name := "computetest-" + newID()[:12]
	p1, err := v.Volume(t.Context(), name)
	if err != nil || p1 == "" {
		t.Fatalf("Volume: %q, %v", p1, err)
	}
	p2, err := v.Volume(t.Context(), name)
	if err != nil || p2 != p1 {
		t.Errorf("Volume again: %q, %v; want %q", p2, err, p1)
	}
	for range 2 {
		if err := v.RemoveVolume(t.Context(), name); err != nil {
			t.Errorf("RemoveVolume: %v", err)
		}
	}
}

// files copies a file into a created container, as docker cp before
// start does, reads it back, finds it among the container's changes
// where the driver is a Snapshotter, and runs the container to see it.
func (s *suite) files(t *testing.T) {
	fr, ok := s.Compute.(core.FileReacher)
	if !ok {
		t.Skip("the driver cannot reach a stopped container's files")
	}
	const content = "hello from docker cp\n"
	w := s.workload(`cat /probe/hello.txt`)
	s.create(t, w)
	f, err := fr.Files(t.Context(), w)
	if errors.Is(err, core.ErrUnsupported) {
		t.Skip(err) // as configured, the driver cannot reach them
	}
	if err != nil {
		t.Fatalf("Files: %v", err)
	}
	if err := f.Put("/", bytes.NewReader(tarOf(t, "probe/hello.txt", content)), false); err != nil {
		t.Fatalf("Put: %v", err)
	}
	st, err := f.Stat("/probe/hello.txt")
	if err != nil || st.Size != int64(len(content)) || st.Name != "hello.txt" {
		t.Errorf("Stat: %+v, %v", st, err)
	}
	var buf bytes.Buffer
	if _, err := f.Get("/probe/hello.txt", &buf); err != nil {
		t.Fatalf("Get: %v", err)
	}
	if got := fileIn(t, buf.Bytes()); got != content {
		t.Errorf("Get gave %q, want %q", got, content)
	}
	if sn, ok := s.Compute.(core.Snapshotter); ok {
		t.Run("Snapshotter", func(t *testing.T) {
			changes, err := sn.Changes(t.Context(), w)
			if err != nil {
				t.Fatalf("Changes: %v", err)
			}
			want := container.FilesystemChange{Path: "/probe/hello.txt", Kind: container.ChangeAdd}
			if !slices.Contains(changes, want) {
				t.Errorf("Changes %+v lack %+v", changes, want)
			}
		})
	}
	if err := s.Compute.Start(t.Context(), w); err != nil {
		t.Fatalf("Start: %v", err)
	}
	s.wantExit(t, w.ID, 0)
	var out strings.Builder
	s.eventually(t, "the copied file in the workload's output", func() string {
		out.Reset()
		entries, _, err := s.Compute.Logs(t.Context(), w.ID, "")
		if err != nil {
			t.Fatalf("Logs: %v", err)
		}
		for _, e := range entries {
			out.Write(e.Data)
		}
		if out.String() != content {
			return fmt.Sprintf("output %q", out.String())
		}
		return ""
	})
}

func tarOf(t *testing.T, name, content string) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	must := func(err error) {
		if err != nil {
			t.Fatal(err)
		}
	}
	must(tw.WriteHeader(&tar.Header{Name: "probe/", Typeflag: tar.TypeDir, Mode: 0o755}))
	must(tw.WriteHeader(&tar.Header{Name: name, Typeflag: tar.TypeReg, Mode: 0o644, Size: int64(len(content))}))
	_, err := tw.Write([]byte(content))
	must(err)
	must(tw.Close())
	return buf.Bytes()
}

// fileIn is the content of the one regular file in a tar.
func fileIn(t *testing.T, b []byte) string {
	t.Helper()
	tr := tar.NewReader(bytes.NewReader(b))
	for {
		h, err := tr.Next()
		if err != nil {
			t.Fatalf("no file in the tar Get wrote: %v", err)
		}
		if h.Typeflag == tar.TypeReg {
			data, err := io.ReadAll(tr)
			if err != nil {
				t.Fatal(err)
			}
			return string(data)
		}
	}
}
