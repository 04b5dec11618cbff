//go:build linux && cgo

package native

import (
	"maps"
	"strings"
	"testing"

	"github.com/moby/moby/api/types/container"
)

// TestParseNetDev proves stats' "networks" are the namespace's
// interfaces but loopback, with receive's and transmit's counters where
// dockerd puts them.
func TestParseNetDev(t *testing.T) {
	const header = "Inter-|   Receive                                                |  Transmit\n" +
		" face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed\n"
	cases := []struct {
		name, text string
		want       map[string]container.NetworkStats
	}{
		{
			name: "a bridged container's interfaces, loopback aside",
			text: header +
				"    lo:     120       2    0    0    0     0          0         0      120       2    0    0    0     0       0          0\n" +
				"  eth0:    1944      20    1    2    0     0          0         0      866      11    3    4    0     0       0          0\n" +
				"  eth1:10000000  7000    0    0    0     0          0         0        0       0    0    0    0     0       0          0\n",
			want: map[string]container.NetworkStats{
				"eth0": {RxBytes: 1944, RxPackets: 20, RxErrors: 1, RxDropped: 2, TxBytes: 866, TxPackets: 11, TxErrors: 3, TxDropped: 4},
				"eth1": {RxBytes: 10000000, RxPackets: 7000},
			},
		},
		{name: "loopback only is no network", text: header + "    lo:     0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n"},
		{name: "a short line is skipped", text: header + "  eth0: 1 2 3\n"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := parseNetDev(strings.NewReader(tc.text)); !maps.Equal(got, tc.want) {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}
