package sandboxrt

import (
	"bytes"
	"context"
	"io"
	"path/filepath"
	"testing"

	"github.com/sockerless/sockerless/agent"
	"github.com/sockerless/sockerless/agent/proto"
	"github.com/sockerless/sockerless/sandbox"
)

// TestContainerRuntime: an agent beside its container (local mode's)
// starts each process over the container's root, image, mounts and
// hostname, with the spec's own environment, and its archive FS sees
// the same files.
func TestContainerRuntime(t *testing.T) {
	image, root, vol := t.TempDir(), t.TempDir(), t.TempDir()
	write(t, filepath.Join(image, "etc", "motd"), "from the image\n", 0o644)
	write(t, filepath.Join(vol, "data"), "from the volume\n", 0o644)
	rt := Container(sandbox.Spec{
		Root: root, Image: image, Hostname: "box",
		Mounts: []sandbox.Mount{{Source: vol, Target: "/vol", ReadOnly: true}},
		Args:   []string{"ignored"}, Env: []string{"IGNORED=1"},
	})
	var out bytes.Buffer
	p, err := rt.Start(context.Background(), proto.ProcessSpec{
		Args: []string{"sh", "-c", "echo $(hostname) ${IGNORED:-unset} $FOO; cat /etc/motd /vol/data; echo written > /new"},
		Env:  []string{"FOO=foo"},
	}, agent.Stdio{Stdout: &out, Stderr: &out})
	if err != nil {
		t.Fatal(err)
	}
	if code := p.Wait(); code != 0 {
		t.Fatalf("exit %d, output %q", code, out.String())
	}
	if want := "box unset foo\nfrom the image\nfrom the volume\n"; out.String() != want {
		t.Fatalf("output %q, want %q", out.String(), want)
	}
	fsys, err := rt.FS()
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{"/new": "written\n", "/etc/motd": "from the image\n", "/vol/data": "from the volume\n"} {
		r, err := fsys.Open(name)
		if err != nil {
			t.Fatalf("open %s: %v", name, err)
		}
		b, _ := io.ReadAll(r)
		r.Close()
		if string(b) != want {
			t.Errorf("%s through FS: %q, want %q", name, b, want)
		}
	}
}
