package streams

import (
	"bytes"
	"testing"

	"github.com/moby/moby/api/pkg/stdcopy"
)

// The framing writer must produce what the real client's StdCopy reads.
func TestStdWriterRoundTrip(t *testing.T) {
	var wire bytes.Buffer
	lw := &lockedWriter{w: &wire}
	out, errw := &stdWriter{w: lw, t: stdcopy.Stdout}, &stdWriter{w: lw, t: stdcopy.Stderr}
	for _, w := range []struct {
		w *stdWriter
		s string
	}{{out, "one\n"}, {errw, "two\n"}, {out, ""}, {out, "three\n"}} {
		n, err := w.w.Write([]byte(w.s))
		if err != nil || n != len(w.s) {
			t.Fatalf("Write(%q) = %d, %v", w.s, n, err)
		}
	}
	var stdout, stderr bytes.Buffer
	if _, err := stdcopy.StdCopy(&stdout, &stderr, &wire); err != nil {
		t.Fatal(err)
	}
	if stdout.String() != "one\nthree\n" || stderr.String() != "two\n" {
		t.Fatalf("stdout %q, stderr %q", stdout.String(), stderr.String())
	}
}

func TestSystemErrorFrameIsAnError(t *testing.T) {
	var wire bytes.Buffer
	h := &hijacked{out: &lockedWriter{w: &wire}}
	h.fail(false, errString("agent lost"))
	_, err := stdcopy.StdCopy(&bytes.Buffer{}, &bytes.Buffer{}, &wire)
	if err == nil || err.Error() != "error from daemon in stream: agent lost" {
		t.Fatalf("StdCopy error = %v", err)
	}
}

type errString string

func (e errString) Error() string { return string(e) }
