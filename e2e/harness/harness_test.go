package harness

import (
	"archive/tar"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

func TestRootfsHasApplets(t *testing.T) {
	fs, err := BuildRootfs()
	if err != nil {
		t.Fatal(err)
	}
	if !fs.HasBusybox {
		t.Skipf("no busybox here: %s", fs.Why)
	}
	f, err := os.Open(fs.Tar)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	got := map[string]*tar.Header{}
	tr := tar.NewReader(f)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		got[h.Name] = h
	}
	for _, tc := range []struct {
		name     string
		typ      byte
		linkname string
	}{
		{"bin/busybox", tar.TypeReg, ""},
		{"bin/sh", tar.TypeSymlink, "busybox"},
		{"bin/sleep", tar.TypeSymlink, "busybox"},
		{"bin/cat", tar.TypeSymlink, "busybox"},
		{"etc/passwd", tar.TypeReg, ""},
		{"etc/group", tar.TypeReg, ""},
		{"etc/hostname", tar.TypeReg, ""},
		{"tmp/", tar.TypeDir, ""},
		{"root/", tar.TypeDir, ""},
	} {
		h := got[tc.name]
		if h == nil || h.Typeflag != tc.typ || h.Linkname != tc.linkname {
			t.Errorf("%s: got %+v, want type %c link %q", tc.name, h, tc.typ, tc.linkname)
		}
	}
	if got["tmp/"] != nil && got["tmp/"].Mode != 0o1777 {
		t.Errorf("tmp mode %o, want 1777", got["tmp/"].Mode)
	}
}

func TestRegistryServesConfiguredImage(t *testing.T) {
	r, err := StartRegistry()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	ref, err := name.ParseReference(r.Image(), name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	img, err := remote.Image(ref)
	if err != nil {
		t.Fatal(err)
	}
	cf, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	c := cf.Config
	if strings.Join(c.Entrypoint, " ") != "echo entrypoint" || strings.Join(c.Cmd, " ") != "from-cmd" ||
		c.WorkingDir != "/srv/e2e" || c.User != "e2e" {
		t.Errorf("config = %+v, want RegistryConfig", c)
	}
	layers, err := img.Layers()
	if err != nil || len(layers) != 1 {
		t.Fatalf("layers = %d, %v; want 1", len(layers), err)
	}
}

func TestTailBufferKeepsLastBytes(t *testing.T) {
	for _, tc := range []struct {
		writes []string
		max    int
		want   string
	}{
		{[]string{"abc"}, 8, "abc"},
		{[]string{"abcdef", "ghij"}, 4, "ghij"},
		{[]string{"abcdef", "gh"}, 4, "efgh"},
	} {
		b := newTailBuffer(tc.max)
		for _, w := range tc.writes {
			b.Write([]byte(w))
		}
		if got := b.String(); got != tc.want {
			t.Errorf("%q with max %d: got %q, want %q", tc.writes, tc.max, got, tc.want)
		}
	}
}

func TestLaunchSockerlessReportsAMissingBinary(t *testing.T) {
	_, err := LaunchSockerless("/nonexistent/sockerless")
	if err == nil || !strings.Contains(err.Error(), "/nonexistent/sockerless") {
		t.Fatalf("err = %v, want one naming the binary", err)
	}
}

func TestMain(m *testing.M) {
	code := m.Run()
	Cleanup()
	os.Exit(code)
}
