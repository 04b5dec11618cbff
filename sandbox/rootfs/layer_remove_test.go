package rootfs

import (
	"errors"
	"io/fs"
	"os"
	"reflect"
	"syscall"
	"testing"
)

// step is one operation and what it must return (nil for success).
type step struct {
	op      func(f *FS) error
	wantErr error
}

func ok(op func(f *FS) error) step { return step{op: op} }

// TestLayeredRemoveAndRename runs sequences of deletions, re-creations
// and renames on a fresh upper over one lower, then checks the view.
func TestLayeredRemoveAndRename(t *testing.T) {
	lo := image(t)
	for _, tc := range []struct {
		name  string
		steps []step
		want  map[string]string // path -> content, "<dir>" or "<absent>"
		lists map[string][]string
		upper []string // paths that must exist in upper
	}{
		{
			name:  "delete lower file hides it",
			steps: []step{ok(func(f *FS) error { return f.Remove("/etc/hosts") })},
			want:  map[string]string{"/etc/hosts": "<absent>", "/etc/passwd": "root:x:0:0:root:/root:/bin/sh\n"},
			lists: map[string][]string{"/etc": {"passwd"}},
			upper: []string{"etc/.wh.hosts"},
		},
		{
			name: "create after delete shows a fresh file",
			steps: []step{
				ok(func(f *FS) error { return f.Remove("/etc/hosts") }),
				ok(func(f *FS) error { return create(f, "/etc/hosts", "fresh") }),
			},
			want:  map[string]string{"/etc/hosts": "fresh"},
			lists: map[string][]string{"/etc": {"hosts", "passwd"}},
		},
		{
			name: "rmdir of lower dirs",
			steps: []step{
				ok(func(f *FS) error { return f.Remove("/empty") }),
				{op: func(f *FS) error { return f.Remove("/usr/share/doc") }, wantErr: syscall.ENOTEMPTY},
				ok(func(f *FS) error { return f.Remove("/usr/share/doc/sub") }),
				ok(func(f *FS) error { return f.Remove("/usr/share/doc/a") }),
				ok(func(f *FS) error { return f.Remove("/usr/share/doc/b") }),
				ok(func(f *FS) error { return f.Remove("/usr/share/doc") }),
				{op: func(f *FS) error { return f.Remove("/empty") }, wantErr: fs.ErrNotExist},
			},
			want:  map[string]string{"/empty": "<absent>", "/usr/share/doc": "<absent>"},
			lists: map[string][]string{"/usr/share": nil},
		},
		{
			name: "remove all then mkdir is opaque",
			steps: []step{
				ok(func(f *FS) error { return f.RemoveAll("/usr") }),
				ok(func(f *FS) error { return f.MkdirAll("/usr/share", 0o755) }),
			},
			want:  map[string]string{"/usr/share/doc": "<absent>", "/usr/bin": "<absent>"},
			lists: map[string][]string{"/usr": {"share"}, "/usr/share": nil, "/": {"bin", "empty", "etc", "link-etc", "link-up", "run", "usr", "var"}},
			upper: []string{"usr/.wh..wh..opq"},
		},
		{
			name: "remove an upper dir over lower and its whiteouts",
			steps: []step{
				ok(func(f *FS) error { return create(f, "/usr/share/doc/c", "c") }),
				ok(func(f *FS) error { return f.Remove("/usr/share/doc/a") }),
				ok(func(f *FS) error { return f.RemoveAll("/usr/share/doc") }),
			},
			want:  map[string]string{"/usr/share/doc": "<absent>", "/usr/share/doc/a": "<absent>", "/usr/share/doc/c": "<absent>"},
			upper: []string{"usr/share/.wh.doc"},
		},
		{
			name: "rename lower file",
			steps: []step{
				ok(func(f *FS) error { return f.Rename("/etc/hosts", "/etc/hosts.bak") }),
			},
			want:  map[string]string{"/etc/hosts": "<absent>", "/etc/hosts.bak": "127.0.0.1 localhost\n"},
			lists: map[string][]string{"/etc": {"hosts.bak", "passwd"}},
		},
		{
			name: "rename lower symlink keeps it a link",
			steps: []step{
				ok(func(f *FS) error { return f.Rename("/link-etc", "/usr/le") }),
			},
			want: map[string]string{"/link-etc": "<absent>", "/usr/le/hosts": "127.0.0.1 localhost\n"},
		},
		{
			name: "rename merged dir takes lower content along",
			steps: []step{
				ok(func(f *FS) error { return create(f, "/usr/share/doc/c", "c") }),
				ok(func(f *FS) error { return f.Remove("/usr/share/doc/b") }),
				ok(func(f *FS) error { return f.Rename("/usr/share", "/share") }),
			},
			want:  map[string]string{"/usr/share": "<absent>", "/share/doc/a": "doc a", "/share/doc/c": "c", "/share/doc/b": "<absent>"},
			lists: map[string][]string{"/share/doc": {"a", "c", "sub"}, "/usr": {"bin"}},
		},
		{
			name: "rename dir over a deleted lower dir hides its old content",
			steps: []step{
				ok(func(f *FS) error { return f.RemoveAll("/usr/share/doc") }),
				ok(func(f *FS) error { return f.Mkdir("/d", 0o755) }),
				ok(func(f *FS) error { return create(f, "/d/z", "z") }),
				ok(func(f *FS) error { return f.Rename("/d", "/usr/share/doc") }),
			},
			want:  map[string]string{"/d": "<absent>", "/usr/share/doc/z": "z", "/usr/share/doc/a": "<absent>"},
			lists: map[string][]string{"/usr/share/doc": {"z"}},
		},
		{
			name: "rename file over lower file",
			steps: []step{
				ok(func(f *FS) error { return create(f, "/new", "new hosts") }),
				ok(func(f *FS) error { return f.Rename("/new", "/etc/hosts") }),
			},
			want:  map[string]string{"/new": "<absent>", "/etc/hosts": "new hosts"},
			lists: map[string][]string{"/etc": {"hosts", "passwd"}},
		},
		{
			name: "rename errors",
			steps: []step{
				{op: func(f *FS) error { return f.Rename("/etc", "/usr/share") }, wantErr: syscall.ENOTEMPTY},
				{op: func(f *FS) error { return f.Rename("/etc", "/etc/sub") }, wantErr: syscall.EINVAL},
				{op: func(f *FS) error { return f.Rename("/etc/hosts", "/empty") }, wantErr: syscall.EISDIR},
				{op: func(f *FS) error { return f.Rename("/nope", "/x") }, wantErr: fs.ErrNotExist},
				{op: func(f *FS) error { return f.RemoveAll("/") }, wantErr: syscall.EBUSY},
			},
			want: map[string]string{"/etc/hosts": "127.0.0.1 localhost\n", "/etc/sub": "<absent>"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, up := layered(t, lo)
			for i, s := range tc.steps {
				err := s.op(f)
				if (s.wantErr == nil && err != nil) || (s.wantErr != nil && !errors.Is(err, s.wantErr)) {
					t.Fatalf("step %d: err = %v, want %v", i, err, s.wantErr)
				}
			}
			for p, want := range tc.want {
				got := "<absent>"
				if fi, err := f.Lstat(p); err == nil && fi.IsDir() {
					got = "<dir>"
				} else if err == nil || !errors.Is(err, fs.ErrNotExist) {
					got = read(f, p)
				}
				if got != want {
					t.Errorf("%s = %q, want %q", p, got, want)
				}
			}
			for dir, want := range tc.lists {
				if got := names(t, f, dir); !reflect.DeepEqual(got, want) {
					t.Errorf("ls %s = %v, want %v", dir, got, want)
				}
			}
			for _, p := range tc.upper {
				if !lexists(up + "/" + p) {
					t.Errorf("upper lacks %s", p)
				}
			}
		})
	}
}

func TestChanges(t *testing.T) {
	lo := image(t)
	f, up := layered(t, lo)
	for _, op := range []func() error{
		func() error { return appendTo(f, "/etc/passwd", "u\n") },
		func() error { return f.Remove("/etc/hosts") },
		func() error { return f.MkdirAll("/opt/app", 0o755) },
		func() error { return create(f, "/opt/app/x", "x") },
		func() error { return f.RemoveAll("/usr/share/doc") },
		func() error { return f.Mkdir("/usr/share/doc", 0o755) },
		func() error { return create(f, "/usr/share/doc/a", "new a") },
		func() error { return f.Remove("/empty") },
		func() error { return create(f, "/tmpfile", "t") },
		func() error { return f.Remove("/tmpfile") }, // added then deleted: no change
	} {
		if err := op(); err != nil {
			t.Fatal(err)
		}
	}
	got, err := Changes(up, lo)
	if err != nil {
		t.Fatal(err)
	}
	want := []Change{
		{"/empty", Deleted},
		{"/etc", Modified},
		{"/etc/hosts", Deleted},
		{"/etc/passwd", Modified},
		{"/opt", Added},
		{"/opt/app", Added},
		{"/opt/app/x", Added},
		{"/usr", Modified},
		{"/usr/share", Modified},
		{"/usr/share/doc", Modified},
		{"/usr/share/doc/a", Added},
		{"/usr/share/doc/b", Deleted},
		{"/usr/share/doc/sub", Deleted},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Changes =\n%v\nwant\n%v", got, want)
	}
	// Without a lower layer everything in the root is new.
	plain := t.TempDir()
	write(t, plain+"/f", "f")
	if got, err := Changes(plain, ""); err != nil || !reflect.DeepEqual(got, []Change{{"/f", Added}}) {
		t.Errorf("Changes(plain) = %v, %v", got, err)
	}
}

func TestNewLayeredRejectsOverlap(t *testing.T) {
	lo := image(t)
	up := lo + "/upper"
	mkdir(t, up)
	defer os.Remove(up)
	if _, err := NewLayered(up, lo, nil); err == nil {
		t.Error("upper inside lower accepted: writes would change the image")
	}
	if _, err := NewLayered(lo, lo, nil); err == nil {
		t.Error("upper equal to lower accepted")
	}
}
