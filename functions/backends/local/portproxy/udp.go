package portproxy

import (
	"context"
	"net"
	"sync"
	"time"

	"github.com/sockerless/sockerless/functions/core"
)

// udpIdle is how long a client's flow lives without a datagram either
// way (docker-proxy keeps them 90 s).
const udpIdle = 90 * time.Second

// serveUDP forwards each client's datagrams to the container's port over
// a flow of its own, whose answers go back to that client.
func (p *Proxy) serveUDP(id string, b core.PortBinding, pc net.PacketConn) {
	var mu sync.Mutex
	flows := map[string]net.Conn{}
	defer func() {
		mu.Lock()
		defer mu.Unlock()
		for _, f := range flows {
			f.Close()
		}
	}()
	buf := make([]byte, 64<<10)
	for {
		n, from, err := pc.ReadFrom(buf)
		if err != nil {
			return
		}
		mu.Lock()
		f, ok := flows[from.String()]
		if !ok {
			f, err = p.dial(context.Background(), id, "udp", b.ContainerPort)
			if err != nil {
				mu.Unlock()
				continue
			}
			flows[from.String()] = f
			go func() {
				answer(pc, f, from)
				mu.Lock()
				delete(flows, from.String())
				mu.Unlock()
				f.Close()
			}()
		}
		mu.Unlock()
		f.SetDeadline(time.Now().Add(udpIdle))
		f.Write(buf[:n])
	}
}

// answer copies a flow's datagrams back to its client until it idles.
func answer(pc net.PacketConn, f net.Conn, to net.Addr) {
	buf := make([]byte, 64<<10)
	for {
		f.SetReadDeadline(time.Now().Add(udpIdle))
		n, err := f.Read(buf)
		if err != nil {
			return
		}
		if _, err := pc.WriteTo(buf[:n], to); err != nil {
			return
		}
	}
}
