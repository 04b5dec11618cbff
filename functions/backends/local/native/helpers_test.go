//go:build linux && cgo

package native_test

import (
	"archive/tar"
	"bytes"
	"log/slog"
	"os"
	"testing"

	"github.com/sockerless/sockerless/functions/backends/local/native"
)

// busyboxApplets are the commands the tests' busybox image links.
var busyboxApplets = []string{"sh", "cat", "echo", "ps", "sleep", "ls", "id", "hostname", "head", "dd", "kill", "true", "false", "mount", "wc", "grep"}

// busyboxImage is a root filesystem tar of the host's static busybox
// (scripts/install-deps.sh installs busybox-static) with an applet link
// per command; the test skips without it.
func busyboxImage(t *testing.T) []byte {
	t.Helper()
	bb, err := os.ReadFile("/bin/busybox")
	if err != nil {
		t.Skipf("no /bin/busybox (apt install busybox-static): %v", err)
	}
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	add := func(h *tar.Header, body []byte) {
		h.Size = int64(len(body))
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write(body); err != nil {
			t.Fatal(err)
		}
	}
	for _, d := range []string{"bin/", "etc/", "tmp/", "root/", "dev/", "proc/", "sys/"} {
		add(&tar.Header{Name: d, Typeflag: tar.TypeDir, Mode: 0o755}, nil)
	}
	add(&tar.Header{Name: "bin/busybox", Typeflag: tar.TypeReg, Mode: 0o755}, bb)
	for _, a := range busyboxApplets {
		add(&tar.Header{Name: "bin/" + a, Typeflag: tar.TypeSymlink, Linkname: "busybox", Mode: 0o777}, nil)
	}
	add(&tar.Header{Name: "etc/passwd", Typeflag: tar.TypeReg, Mode: 0o644}, []byte("root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/sh\n"))
	add(&tar.Header{Name: "etc/group", Typeflag: tar.TypeReg, Mode: 0o644}, []byte("root:x:0:\nnogroup:x:65534:\n"))
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// newDriver opens a native driver over a temporary directory, or skips
// saying why this machine cannot run it.
func newDriver(t *testing.T, agentURL string) *native.Driver {
	t.Helper()
	return newDriverWith(t, agentURL, "")
}

// newDriverWith is newDriver with the agent binary at agent ("" builds
// one).
func newDriverWith(t *testing.T, agentURL, agent string) *native.Driver {
	t.Helper()
	if err := native.Supported(); err != nil {
		t.Skip(err)
	}
	d, err := native.New(t.Context(), native.Config{Dir: t.TempDir(), AgentURL: agentURL, AgentBinary: agent, Log: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := d.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return d
}
