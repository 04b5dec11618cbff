package listen

import (
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestUnixMode0600(t *testing.T) {
	path := filepath.Join(t.TempDir(), "docker.sock")
	l, err := Unix(path)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Fatalf("mode = %v, want 0600", fi.Mode().Perm())
	}
}

func TestUnixStaleSocketReplaced(t *testing.T) {
	path := filepath.Join(t.TempDir(), "docker.sock")
	// A socket file nobody listens on any more: bind, then close the fd
	// without unlinking.
	l, err := net.ListenUnix("unix", &net.UnixAddr{Name: path, Net: "unix"})
	if err != nil {
		t.Fatal(err)
	}
	l.SetUnlinkOnClose(false)
	l.Close()
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("stale socket should still exist: %v", err)
	}
	l2, err := Unix(path)
	if err != nil {
		t.Fatalf("stale socket not replaced: %v", err)
	}
	l2.Close()
}

func TestUnixLiveSocketRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "docker.sock")
	live, err := Unix(path)
	if err != nil {
		t.Fatal(err)
	}
	defer live.Close()
	go func() {
		for {
			c, err := live.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	if l, err := Unix(path); err == nil || !strings.Contains(err.Error(), "in use") {
		if l != nil {
			l.Close()
		}
		t.Fatalf("err = %v, want in use", err)
	}
}

func TestUnixRegularFileRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "docker.sock")
	if err := os.WriteFile(path, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Unix(path); err == nil || !strings.Contains(err.Error(), "not a socket") {
		t.Fatalf("err = %v, want not a socket", err)
	}
	if b, _ := os.ReadFile(path); string(b) != "x" {
		t.Fatal("regular file was touched")
	}
}

func TestTCP(t *testing.T) {
	tests := []struct {
		name        string
		addr        string
		allowRemote bool
		wantErr     string
		wantHost    string
	}{
		{"empty host defaults to loopback", ":0", false, "", "127.0.0.1"},
		{"ipv4 loopback", "127.0.0.1:0", false, "", "127.0.0.1"},
		{"localhost", "localhost:0", false, "", ""},
		{"wildcard refused", "0.0.0.0:0", false, "not a loopback address", ""},
		{"public name refused", "example.com:0", false, "not a loopback address", ""},
		{"wildcard allowed explicitly", "0.0.0.0:0", true, "", ""},
		{"malformed", "nocolon", false, "invalid listen address", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, err := TCP(tt.addr, tt.allowRemote)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					if l != nil {
						l.Close()
					}
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer l.Close()
			if tt.wantHost != "" {
				host, _, _ := net.SplitHostPort(l.Addr().String())
				if host != tt.wantHost {
					t.Fatalf("host = %s, want %s", host, tt.wantHost)
				}
			}
		})
	}
}

func TestUnixCloseRemovesSocket(t *testing.T) {
	path := filepath.Join(t.TempDir(), "docker.sock")
	l, err := Unix(path)
	if err != nil {
		t.Fatal(err)
	}
	c, err := net.Dial("unix", path)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	c.Close()
	l.Close()
	if _, err := os.Lstat(path); !os.IsNotExist(err) {
		t.Fatalf("socket file still there after Close: %v", err)
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 0 {
		t.Fatalf("leftovers in socket dir: %v", entries)
	}
}
