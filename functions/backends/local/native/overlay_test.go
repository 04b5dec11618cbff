//go:build linux && cgo

package native

import (
	"os"
	"path/filepath"
	"testing"
)

func TestRemoveMountStubs(t *testing.T) {
	cases := []struct {
		name     string
		make     map[string]string // path → content; a trailing / is a directory
		wantGone []string
		wantKept []string
	}{
		{
			name:     "runc's empty mount points go",
			make:     map[string]string{"proc/": "", "sys/": "", "dev/": "", ".sockerless/agent": "", ".sockerless/edge.sock": ""},
			wantGone: []string{"proc", "sys", "dev", ".sockerless"},
		},
		{
			name:     "what the container wrote stays",
			make:     map[string]string{"dev/made": "x", ".sockerless/agent": "not a stub", "etc/passwd": "root"},
			wantKept: []string{"dev/made", ".sockerless/agent", "etc/passwd"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			upper := t.TempDir()
			for p, body := range tc.make {
				full := filepath.Join(upper, p)
				if p[len(p)-1] == '/' {
					if err := os.MkdirAll(full, 0o755); err != nil {
						t.Fatal(err)
					}
					continue
				}
				if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(full, []byte(body), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			removeMountStubs(upper)
			for _, p := range tc.wantGone {
				if _, err := os.Lstat(filepath.Join(upper, p)); err == nil {
					t.Errorf("%s is still there", p)
				}
			}
			for _, p := range tc.wantKept {
				if _, err := os.Lstat(filepath.Join(upper, p)); err != nil {
					t.Errorf("%s: %v", p, err)
				}
			}
		})
	}
}
