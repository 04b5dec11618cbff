package sandbox

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	tt "github.com/sockerless/sockerless/sandbox/treetest"
)

// imageTree is a small image template.
var imageTree = map[string]string{
	"etc/passwd":          "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\n",
	"etc/hosts":           "127.0.0.1 localhost\n",
	"etc/app.conf":        "level=info\n",
	"usr/share/doc/a.txt": "doc a\n",
	"usr/share/doc/b.txt": "doc b\n",
	"usr/local/bin/hello": "#!/bin/sh\necho hello from image\n",
	"bin/sh":              "->busybox",
	"bin/busybox":         "exec:\x7fELF",
	"var/log/":            "",
	"home/app/":           "",
}

func TestLayeredShell(t *testing.T) {
	img := t.TempDir()
	files(t, img, imageTree)
	for _, tc := range []struct {
		name, script, want string
	}{
		{"read through", `cat /etc/hosts; hello`, "127.0.0.1 localhost\nhello from image\n"},
		{"redirect over image file", `echo level=debug > /etc/app.conf; cat /etc/app.conf`, "level=debug\n"},
		{"append", `echo extra >> /etc/hosts; cat /etc/hosts`, "127.0.0.1 localhost\nextra\n"},
		{"rm hides", `rm /etc/hosts; ls /etc; [ -e /etc/hosts ] || echo gone`, "app.conf\npasswd\ngone\n"},
		{"rm then create", `rm /etc/hosts; echo new > /etc/hosts; cat /etc/hosts`, "new\n"},
		{"ls merges", `touch /usr/share/doc/c.txt; rm /usr/share/doc/a.txt; ls /usr/share/doc`, "b.txt\nc.txt\n"},
		{"mkdir -p in image dir", `mkdir -p /var/log/app/x && ls -d /var/log/app/x`, "/var/log/app/x\n"},
		{"rm -r then mkdir", `rm -r /usr/share/doc; mkdir /usr/share/doc; ls /usr/share/doc; echo end`, "end\n"},
		{"mv file", `mv /etc/app.conf /etc/app.old; ls /etc; cat /etc/app.old`, "app.old\nhosts\npasswd\nlevel=info\n"},
		{"mv dir", `mv /usr/share/doc /doc; ls /doc; ls /usr/share; echo end`, "a.txt\nb.txt\nend\n"},
		{"cp", `cp /etc/hosts /etc/hosts2; cp -r /usr/share/doc /home/app/doc; cat /etc/hosts2; ls /home/app/doc`, "127.0.0.1 localhost\na.txt\nb.txt\n"},
		{"user from image", `id -un`, "app\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := tt.Snapshot(t, img)
			root := t.TempDir()
			spec := Spec{Root: root, Image: img, Args: sh(tc.script)}
			if tc.name == "user from image" {
				spec.User = "app"
			}
			r := run(t, spec, "")
			if r.code != 0 || r.stdout != tc.want {
				t.Errorf("code %d, stdout %q, stderr %q; want %q", r.code, r.stdout, r.stderr, tc.want)
			}
			tt.Unchanged(t, img, before)
		})
	}
}

// TestLayeredContainersShareImage runs two containers over one image:
// what one changes, the other does not see.
func TestLayeredContainersShareImage(t *testing.T) {
	img := t.TempDir()
	files(t, img, imageTree)
	a, b := t.TempDir(), t.TempDir()
	if r := run(t, Spec{Root: a, Image: img, Args: sh(`rm /etc/hosts; echo a > /etc/app.conf`)}, ""); r.code != 0 {
		t.Fatalf("a: %+v", r)
	}
	r := run(t, Spec{Root: b, Image: img, Args: sh(`cat /etc/hosts /etc/app.conf`)}, "")
	if r.stdout != "127.0.0.1 localhost\nlevel=info\n" {
		t.Errorf("b sees %q (%s)", r.stdout, r.stderr)
	}
	changes, err := Changes(a, img)
	if err != nil {
		t.Fatal(err)
	}
	want := []Change{{Path: "/etc", Kind: ChangeModified}, {Path: "/etc/app.conf", Kind: ChangeModified}, {Path: "/etc/hosts", Kind: ChangeDeleted}}
	if !reflect.DeepEqual(changes, want) {
		t.Errorf("Changes = %v, want %v", changes, want)
	}
	// The same merged view from outside the container.
	fsys, err := FS(a, img, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fsys.Stat("/etc/hosts"); err == nil {
		t.Error("FS shows the deleted /etc/hosts")
	}
	if h, err := fsys.HostPath("/etc/app.conf"); err != nil || h != filepath.Join(a, "etc/app.conf") {
		t.Errorf("HostPath = %q, %v", h, err)
	}
}

// TestStartLayeredTouchesLittle: starting a process over an image writes
// nothing to the container's dir, whatever the image's size.
func TestStartLayeredTouchesLittle(t *testing.T) {
	img := bigImage(t, 300)
	root := t.TempDir()
	if r := run(t, Spec{Root: root, Image: img, Args: []string{"true"}, Dir: "/srv"}, ""); r.code != 0 {
		t.Fatalf("%+v", r)
	}
	ents, err := os.ReadDir(root)
	if err != nil {
		t.Fatal(err)
	}
	if len(ents) != 0 {
		t.Errorf("root holds %d entries after start: %v", len(ents), ents)
	}
}

// bigImage makes an image template of about n entries, with /srv.
func bigImage(tb testing.TB, n int) string {
	tb.Helper()
	img := tb.TempDir()
	for _, d := range []string{"bin", "etc", "srv", "usr/lib"} {
		if err := os.MkdirAll(filepath.Join(img, d), 0o755); err != nil {
			tb.Fatal(err)
		}
	}
	os.WriteFile(filepath.Join(img, "etc/passwd"), []byte("root:x:0:0:root:/root:/bin/sh\n"), 0o644)
	for i := range n {
		dir := "bin"
		if i%2 == 1 {
			dir = "usr/lib"
		}
		if err := os.Symlink("busybox", filepath.Join(img, dir, fmt.Sprintf("cmd%d", i))); err != nil {
			tb.Fatal(err)
		}
	}
	return img
}

// BenchmarkStartLayered starts `true` in a fresh container dir over an
// image: the cost must not grow with the image.
func BenchmarkStartLayered(b *testing.B) {
	for _, n := range []int{300, 3000} {
		b.Run(fmt.Sprintf("entries=%d", n), func(b *testing.B) {
			img := bigImage(b, n)
			base := b.TempDir()
			i := 0
			for b.Loop() {
				i++
				root := filepath.Join(base, fmt.Sprint(i))
				if err := os.Mkdir(root, 0o755); err != nil {
					b.Fatal(err)
				}
				p, err := Start(context.Background(), Spec{Root: root, Image: img, Args: []string{"true"}}, Stdio{})
				if err != nil {
					b.Fatal(err)
				}
				if code := p.Wait(); code != 0 {
					b.Fatalf("exit %d", code)
				}
			}
		})
	}
}
