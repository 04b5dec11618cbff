//go:build linux && cgo

package native

import (
	"fmt"
	"net"
	"net/netip"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"
	"golang.org/x/net/dns/dnsmessage"
)

// TestResolver asks the embedded DNS server in a namespace of the
// test's own: peers' names answer with their addresses, other names go
// to the upstream, here a second server answering from its own table.
func TestResolver(t *testing.T) {
	if err := Supported(); err != nil {
		t.Skip(err)
	}
	table := func(m map[string]string) func(string) []netip.Addr {
		return func(name string) []netip.Addr {
			if a, ok := m[name]; ok {
				return []netip.Addr{netip.MustParseAddr(a)}
			}
			return nil
		}
	}
	// The upstream: a server on the host's loopback, which the
	// embedded one reaches from the host's namespace.
	up, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	upstream := &resolver{conn: up, peers: table(map[string]string{"example.test": "192.0.2.7"})}
	upstream.wg.Add(1)
	go upstream.serve()
	defer upstream.close()

	ns := newTestNS(t)
	r, err := startResolver(ns, table(map[string]string{"web": "172.18.0.2"}), []string{up.LocalAddr().String()})
	if err != nil {
		t.Fatal(err)
	}
	defer r.close()
	cases := []struct {
		name, host, want string
	}{
		{name: "a peer's name is its address", host: "web", want: "172.18.0.2"},
		{name: "other names are the upstream's answer", host: "example.test", want: "192.0.2.7"},
		{name: "a name nobody knows is not found", host: "nowhere.test"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := lookupIn(ns, tc.host)
			if tc.want == "" {
				if err == nil {
					t.Errorf("%s resolved to %v, want an error", tc.host, got)
				}
				return
			}
			if err != nil || !slices.Contains(got, tc.want) {
				t.Errorf("%s: %v, %v; want %s", tc.host, got, err, tc.want)
			}
		})
	}
}

// newTestNS is a network namespace with loopback up, for the test.
func newTestNS(t *testing.T) netns.NsHandle {
	t.Helper()
	ns, err := newNetNS(nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ns.Close() })
	h, err := netlink.NewHandleAt(ns)
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	lo, err := h.LinkByName("lo")
	if err != nil {
		t.Fatal(err)
	}
	if err := h.LinkSetUp(lo); err != nil {
		t.Fatal(err)
	}
	return ns
}

// lookupIn asks 127.0.0.11 inside ns for host's A records, from a
// socket made in ns.
func lookupIn(ns netns.NsHandle, host string) ([]string, error) {
	type made struct {
		conn net.Conn
		err  error
	}
	ch := make(chan made, 1)
	go func() {
		runtime.LockOSThread() // never unlocked: the thread ends in ns
		if err := netns.Set(ns); err != nil {
			ch <- made{nil, err}
			return
		}
		c, err := net.Dial("udp", resolverAddr.String())
		ch <- made{c, err}
	}()
	m := <-ch
	if m.err != nil {
		return nil, m.err
	}
	defer m.conn.Close()
	b := dnsmessage.NewBuilder(nil, dnsmessage.Header{ID: 7, RecursionDesired: true})
	_ = b.StartQuestions()
	_ = b.Question(dnsmessage.Question{Name: dnsmessage.MustNewName(host + "."), Type: dnsmessage.TypeA, Class: dnsmessage.ClassINET})
	q, err := b.Finish()
	if err != nil {
		return nil, err
	}
	_ = m.conn.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := m.conn.Write(q); err != nil {
		return nil, err
	}
	buf := make([]byte, 1500)
	n, err := m.conn.Read(buf)
	if err != nil {
		return nil, err
	}
	var p dnsmessage.Parser
	h, err := p.Start(buf[:n])
	if err != nil {
		return nil, err
	}
	if h.RCode != dnsmessage.RCodeSuccess {
		return nil, fmt.Errorf("%s: %v", host, h.RCode)
	}
	_ = p.SkipAllQuestions()
	answers, err := p.AllAnswers()
	if err != nil {
		return nil, err
	}
	var out []string
	for _, a := range answers {
		if r, ok := a.Body.(*dnsmessage.AResource); ok {
			out = append(out, netip.AddrFrom4(r.A).String())
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no address", host)
	}
	return out, nil
}
