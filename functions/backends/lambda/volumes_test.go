package lambda

import (
	"errors"
	"strings"
	"testing"

	"github.com/sockerless/sockerless/functions/core"
)

// TestCheckVolumes proves which mounts a Lambda function can take: one
// volume, read-write, under /mnt; everything else says why not.
func TestCheckVolumes(t *testing.T) {
	vol := func(target string, ro bool) core.Mount {
		return core.Mount{Source: "/sockerless/volumes/v-1", Target: target, ReadOnly: ro, Volume: "v"}
	}
	cases := []struct {
		name   string
		mounts []core.Mount
		want   string
	}{
		{"no mounts", nil, ""},
		{"one volume under /mnt", []core.Mount{vol("/mnt/v", false)}, ""},
		{"a path outside /mnt", []core.Mount{vol("/data", false)}, "volume v cannot be mounted at /data"},
		{"a nested path under /mnt", []core.Mount{vol("/mnt/a/b", false)}, "cannot be mounted at /mnt/a/b"},
		{"read-only", []core.Mount{vol("/mnt/v", true)}, "volume v cannot be mounted read-only"},
		{"two volumes", []core.Mount{vol("/mnt/a", false), vol("/mnt/b", false)}, "2 volumes cannot be mounted"},
	}
	d := &Driver{}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := d.checkVolumes(core.Workload{Mounts: c.mounts})
			if c.want == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), c.want) || !errors.Is(err, core.ErrUnsupported) {
				t.Fatalf("error %v, want one containing %q that is core.ErrUnsupported", err, c.want)
			}
			if !strings.Contains(err.Error(), "a Lambda function mounts one EFS file system, read-write, at a path under /mnt") {
				t.Fatalf("error %v does not say what Lambda can mount", err)
			}
		})
	}
}
