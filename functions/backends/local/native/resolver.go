//go:build linux && cgo

package native

import (
	"errors"
	"net"
	"net/netip"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/vishvananda/netns"
	"golang.org/x/net/dns/dnsmessage"
)

// resolverAddr is where dockerd's embedded DNS answers in a container
// on a user-defined network, and so does this one.
var resolverAddr = netip.AddrPortFrom(netip.MustParseAddr("127.0.0.11"), 53)

// resolver is the embedded DNS server of one container's namespace: it
// answers the names of the container's peers on its user-defined
// networks with their addresses, as they are at the question (a peer
// started later resolves too), and forwards other questions to the
// host's nameservers from the host's namespace, as dockerd does.
type resolver struct {
	conn     net.PacketConn
	peers    func(name string) []netip.Addr
	upstream []string // host:port
	wg       sync.WaitGroup
}

// startResolver listens on 127.0.0.11:53 (UDP) inside the namespace ns
// and serves there until close.
func startResolver(ns netns.NsHandle, peers func(string) []netip.Addr, upstream []string) (*resolver, error) {
	type made struct {
		conn net.PacketConn
		err  error
	}
	ch := make(chan made, 1)
	go func() {
		// The socket belongs to the namespace it is made in; the thread
		// that entered it is never unlocked, so it ends with this
		// goroutine.
		runtime.LockOSThread()
		if err := netns.Set(ns); err != nil {
			ch <- made{nil, err}
			return
		}
		conn, err := net.ListenUDP("udp4", net.UDPAddrFromAddrPort(resolverAddr))
		ch <- made{conn, err}
	}()
	m := <-ch
	if m.err != nil {
		return nil, errors.Join(errors.New("embedded DNS server"), m.err)
	}
	r := &resolver{conn: m.conn, peers: peers, upstream: upstream}
	r.wg.Add(1)
	go r.serve()
	return r, nil
}

func (r *resolver) serve() {
	defer r.wg.Done()
	buf := make([]byte, 1500)
	for {
		n, from, err := r.conn.ReadFrom(buf)
		if err != nil {
			return
		}
		q := append([]byte(nil), buf[:n]...)
		go func() {
			if reply := r.answer(q); reply != nil {
				_, _ = r.conn.WriteTo(reply, from)
			}
		}()
	}
}

// answer is the reply to query: the peers' addresses for an A question
// about a peer's name (no answer for its other types), else what the
// host's nameservers reply.
func (r *resolver) answer(query []byte) []byte {
	var p dnsmessage.Parser
	h, err := p.Start(query)
	if err != nil {
		return nil
	}
	q, err := p.Question()
	if err != nil {
		return nil
	}
	name := strings.TrimSuffix(q.Name.String(), ".")
	addrs := r.peers(name)
	if len(addrs) == 0 || q.Class != dnsmessage.ClassINET {
		return r.forward(query, h, q)
	}
	b := dnsmessage.NewBuilder(nil, dnsmessage.Header{ID: h.ID, Response: true, Authoritative: true, RecursionDesired: h.RecursionDesired, RecursionAvailable: true})
	_ = b.StartQuestions()
	_ = b.Question(q)
	_ = b.StartAnswers()
	if q.Type == dnsmessage.TypeA {
		for _, a := range addrs {
			// dockerd's TTL for its containers' names.
			_ = b.AResource(dnsmessage.ResourceHeader{Name: q.Name, Class: dnsmessage.ClassINET, TTL: 600}, dnsmessage.AResource{A: a.As4()})
		}
	}
	out, err := b.Finish()
	if err != nil {
		return nil
	}
	return out
}

// forward asks the host's nameservers in turn; a reply says SERVFAIL
// when none answers.
func (r *resolver) forward(query []byte, h dnsmessage.Header, q dnsmessage.Question) []byte {
	for _, up := range r.upstream {
		c, err := net.Dial("udp", up)
		if err != nil {
			continue
		}
		_ = c.SetDeadline(time.Now().Add(3 * time.Second))
		buf := make([]byte, 4096)
		if _, err := c.Write(query); err == nil {
			if n, err := c.Read(buf); err == nil {
				c.Close()
				return buf[:n]
			}
		}
		c.Close()
	}
	b := dnsmessage.NewBuilder(nil, dnsmessage.Header{ID: h.ID, Response: true, RCode: dnsmessage.RCodeServerFailure, RecursionDesired: h.RecursionDesired})
	_ = b.StartQuestions()
	_ = b.Question(q)
	out, _ := b.Finish()
	return out
}

// close stops serving; the namespace goes with the container.
func (r *resolver) close() error {
	if r == nil {
		return nil
	}
	err := r.conn.Close()
	r.wg.Wait()
	return err
}
