package local_test

import (
	"archive/tar"
	"bytes"
	"io"
	"log/slog"
	"strings"
	"testing"

	"github.com/sockerless/sockerless/functions/backends/local"
	"github.com/sockerless/sockerless/functions/core"
)

// TestHostsFileNamesPeers proves a started sandbox resolves its network
// peers' names from /etc/hosts, to loopback (the sandbox shares the
// host's network), and that a container without peers keeps Docker's
// plain hosts file.
func TestHostsFileNamesPeers(t *testing.T) {
	// Nothing listens at the agent URL: the workload stays started.
	d, err := local.New(t.Context(), local.Config{Dir: t.TempDir(), AgentURL: "ws://127.0.0.1:1/agent/v1/connect", Log: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	img, err := d.Import(t.Context(), etcImage(t), nil, "")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		peers []string
		want  string
	}{
		{name: "no peers", want: "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n127.0.1.1\tbox\n"},
		{name: "peers on loopback", peers: []string{"api", "db", "web"},
			want: "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n127.0.1.1\tbox\n127.0.0.1\tapi db web\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := core.Workload{ID: strings.Repeat(string(rune('a'+len(tc.peers))), 64), ImageID: img.ID, Hostname: "box"}
			// Core prepares at create; the peers are known at the start.
			if err := d.Prepare(t.Context(), w); err != nil {
				t.Fatal(err)
			}
			w.Peers = tc.peers
			if err := d.Start(t.Context(), w); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { d.Stop(t.Context(), w.ID) })
			if got := readFile(t, d, w, "/etc/hosts"); got != tc.want {
				t.Errorf("/etc/hosts = %q, want %q", got, tc.want)
			}
		})
	}
}

// etcImage is a one-directory image (/etc) as a tar to import.
func etcImage(t *testing.T) io.Reader {
	var b bytes.Buffer
	tw := tar.NewWriter(&b)
	if err := tw.WriteHeader(&tar.Header{Name: "etc/", Typeflag: tar.TypeDir, Mode: 0o755}); err != nil {
		t.Fatal(err)
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return &b
}

// readFile reads p from w's filesystem as docker cp does.
func readFile(t *testing.T, d *local.Driver, w core.Workload, p string) string {
	t.Helper()
	fs, err := d.Files(t.Context(), w)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if _, err := fs.Get(p, &b); err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(&b)
	if _, err := tr.Next(); err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(tr)
	if err != nil {
		t.Fatal(err)
	}
	return string(body)
}
