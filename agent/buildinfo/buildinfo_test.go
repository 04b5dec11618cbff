package buildinfo

import (
	"runtime/debug"
	"testing"
)

func TestFill(t *testing.T) {
	vcs := func(main string, kv ...string) func() (*debug.BuildInfo, bool) {
		return func() (*debug.BuildInfo, bool) {
			bi := &debug.BuildInfo{Main: debug.Module{Version: main}}
			for i := 0; i < len(kv); i += 2 {
				bi.Settings = append(bi.Settings, debug.BuildSetting{Key: kv[i], Value: kv[i+1]})
			}
			return bi, true
		}
	}
	none := func() (*debug.BuildInfo, bool) { return nil, false }
	for _, c := range []struct {
		name string
		in   Info
		read func() (*debug.BuildInfo, bool)
		want Info
	}{
		{"ldflags win over the toolchain's record", Info{"v1.2.0", "abc", "2026-01-02T03:04:05Z"},
			vcs("v9.9.9", "vcs.revision", "def", "vcs.time", "2020-01-01T00:00:00Z"), Info{"v1.2.0", "abc", "2026-01-02T03:04:05Z"}},
		{"go install records the module version", Info{}, vcs("v0.3.1"), Info{Version: "v0.3.1"}},
		{"a go build in a checkout records the revision and its time", Info{},
			vcs("(devel)", "vcs.revision", "def", "vcs.time", "2020-01-01T00:00:00Z", "vcs.modified", "false"),
			Info{"devel", "def", "2020-01-01T00:00:00Z"}},
		{"a modified tree is marked dirty", Info{}, vcs("(devel)", "vcs.revision", "def", "vcs.modified", "true"), Info{Version: "devel", Commit: "def-dirty"}},
		{"no record at all is devel", Info{}, none, Info{Version: "devel"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := fill(c.in, c.read); got != c.want {
				t.Errorf("fill = %+v, want %+v", got, c.want)
			}
		})
	}
}

func TestString(t *testing.T) {
	for _, c := range []struct {
		in   Info
		want string
	}{
		{Info{Version: "devel"}, "devel"},
		{Info{"v1.0.0", "abc", "2026-01-02T03:04:05Z"}, "v1.0.0, commit abc, built 2026-01-02T03:04:05Z"},
	} {
		if got := c.in.String(); got != c.want {
			t.Errorf("%+v.String() = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestVersionCommand(t *testing.T) {
	for _, c := range []struct {
		name string
		args []string
		want bool
	}{
		{"version alone is the subcommand", []string{"awssim", "version"}, true},
		{"no arguments run the program", []string{"awssim"}, false},
		{"flags run the program", []string{"awssim", "--addr", "127.0.0.1:0"}, false},
		{"version with more arguments is not the subcommand", []string{"awssim", "version", "x"}, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := VersionCommand("awssim", c.args); got != c.want {
				t.Errorf("VersionCommand(%q) = %v, want %v", c.args, got, c.want)
			}
		})
	}
}
