//go:build linux && cgo

package native

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/moby/moby/api/types/container"
)

// netStats is the counters of the interfaces of the container whose
// init is pid and whose network is mode, by name, for stats'
// "networks", as dockerd reports them for a container with a network
// namespace of its own wired to networks (bridged, or sharing such a
// container's); nil on the host's network or with none (dockerd has no
// endpoint to count there).
func netStats(mode netMode, pid int) map[string]container.NetworkStats {
	if (mode != netBridge && mode != netContainer) || pid == 0 {
		return nil
	}
	f, err := os.Open(fmt.Sprintf("/proc/%d/net/dev", pid))
	if err != nil {
		return nil // it ended meanwhile
	}
	defer f.Close()
	return parseNetDev(f)
}

// parseNetDev reads /proc/PID/net/dev (two header lines, then
// "name: 16 counters", receive's 8 then transmit's 8), loopback aside.
func parseNetDev(r io.Reader) map[string]container.NetworkStats {
	out := map[string]container.NetworkStats{}
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		name, rest, ok := strings.Cut(sc.Text(), ":")
		name = strings.TrimSpace(name)
		f := strings.Fields(rest)
		if !ok || name == "lo" || len(f) < 16 {
			continue
		}
		n := make([]uint64, 16)
		for i := range n {
			n[i], _ = strconv.ParseUint(f[i], 10, 64)
		}
		out[name] = container.NetworkStats{
			RxBytes: n[0], RxPackets: n[1], RxErrors: n[2], RxDropped: n[3],
			TxBytes: n[8], TxPackets: n[9], TxErrors: n[10], TxDropped: n[11],
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}
