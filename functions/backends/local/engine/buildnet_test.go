package engine

import (
	"slices"
	"testing"

	"github.com/sockerless/sockerless/functions/core"
)

// A RUN's container has the build's network: the host's, with
// --add-host's entries and --network's containers at loopback, or none.
func TestRunHostConfig(t *testing.T) {
	for _, tc := range []struct {
		name  string
		net   core.BuildNetwork
		mode  string
		hosts []string
	}{
		{"the host's network by default", core.BuildNetwork{}, "host", []string{}},
		{"extra hosts and a network's containers at loopback",
			core.BuildNetwork{ExtraHosts: []string{"a.test:10.0.0.1"}, Peers: []string{"pingtarget.docker"}},
			"host", []string{"a.test:10.0.0.1", "pingtarget.docker:127.0.0.1"}},
		{"none keeps the extra hosts only", core.BuildNetwork{None: true, ExtraHosts: []string{"a.test:10.0.0.1"}, Peers: []string{"x"}},
			"none", []string{"a.test:10.0.0.1"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			hc := (&buildFS{net: tc.net}).runHostConfig()
			if string(hc.NetworkMode) != tc.mode || !slices.Equal(append([]string{}, hc.ExtraHosts...), tc.hosts) {
				t.Errorf("network %q, hosts %q; want %q, %q", hc.NetworkMode, hc.ExtraHosts, tc.mode, tc.hosts)
			}
		})
	}
}
