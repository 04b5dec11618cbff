// Package buildinfo says which build of Sockerless is running: the
// version, commit and build date that `make` stamps in with -ldflags -X,
// or, for a plain `go build`/`go install`, what the Go toolchain recorded
// (the module version and the VCS revision and time). It lives in the
// agent module because every binary may import that one: the control
// plane, the edge, the simulators (which share nothing with functions/)
// and the agent itself.
package buildinfo

import (
	"fmt"
	"runtime/debug"
)

// Stamped by make: -X github.com/sockerless/sockerless/agent/buildinfo.version=...
var version, commit, date string

// Info is one build's identity; a field the build did not record is "".
type Info struct {
	Version string // a release tag (v0.2.0), a git describe, or "devel"
	Commit  string // the full commit hash, "-dirty" appended for a modified tree
	Date    string // when it was built (RFC 3339), or the commit's time
}

// Get returns this binary's Info.
func Get() Info {
	return fill(Info{Version: version, Commit: commit, Date: date}, debug.ReadBuildInfo)
}

// fill completes what the ldflags left empty from the toolchain's record.
func fill(in Info, read func() (*debug.BuildInfo, bool)) Info {
	if bi, ok := read(); ok {
		if in.Version == "" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			in.Version = bi.Main.Version
		}
		var modified bool
		var rev, at string
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.time":
				at = s.Value
			case "vcs.modified":
				modified = s.Value == "true"
			}
		}
		if in.Commit == "" && rev != "" {
			in.Commit = rev
			if modified {
				in.Commit += "-dirty"
			}
		}
		if in.Date == "" {
			in.Date = at
		}
	}
	if in.Version == "" {
		in.Version = "devel"
	}
	return in
}

// String is the line `sockerless version` prints after the program name.
func (i Info) String() string {
	s := i.Version
	if i.Commit != "" {
		s += ", commit " + i.Commit
	}
	if i.Date != "" {
		s += ", built " + i.Date
	}
	return s
}

// Print writes "<program> <Info>" as the version subcommands do.
func Print(program string) {
	fmt.Printf("%s %s\n", program, Get())
}

// VersionCommand serves a program's `version` subcommand: when args
// (os.Args) are the program and "version" alone, it prints the version
// line and says so, and the program exits.
func VersionCommand(program string, args []string) bool {
	if len(args) != 2 || args[1] != "version" {
		return false
	}
	Print(program)
	return true
}
