package portproxy

import (
	"context"
	"errors"
	"io"
	"net"
	"strconv"
	"testing"
	"time"

	"github.com/sockerless/sockerless/functions/core"
)

// listenTCP is a "container" service on loopback that answers each
// connection with "got:" and what it read.
func listenTCP(t *testing.T) uint16 {
	t.Helper()
	l, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				b, _ := io.ReadAll(c)
				c.Write(append([]byte("got:"), b...))
			}()
		}
	}()
	return uint16(l.Addr().(*net.TCPAddr).Port)
}

func freePort(t *testing.T, network string) uint16 {
	t.Helper()
	if network == "udp" {
		c, err := net.ListenPacket("udp4", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		return uint16(c.LocalAddr().(*net.UDPAddr).Port)
	}
	l, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return uint16(l.Addr().(*net.TCPAddr).Port)
}

func TestTCPForwardsBothWaysWithHalfClose(t *testing.T) {
	p := HostNetwork()
	defer p.Close()
	w := core.Workload{ID: "c1"}
	b := core.PortBinding{Proto: "tcp", ContainerPort: listenTCP(t), HostIP: "127.0.0.1", HostPort: freePort(t, "tcp")}
	if err := p.Publish(context.Background(), w, []core.PortBinding{b}); err != nil {
		t.Fatal(err)
	}
	c, err := net.Dial("tcp", b.HostAddr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	c.Write([]byte("ping"))
	c.(*net.TCPConn).CloseWrite() // the service answers once it reads EOF
	got, err := io.ReadAll(c)
	if err != nil || string(got) != "got:ping" {
		t.Fatalf("through the forwarder: %q, %v; want got:ping", got, err)
	}
	p.Unpublish(context.Background(), w.ID)
	if c, err := net.DialTimeout("tcp", b.HostAddr(), time.Second); err == nil {
		c.Close()
		t.Error("the host port still listens after Unpublish")
	}
}

func TestUDPForwardsAnswersToTheirClient(t *testing.T) {
	svc, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer svc.Close()
	go func() {
		buf := make([]byte, 1500)
		for {
			n, from, err := svc.ReadFrom(buf)
			if err != nil {
				return
			}
			svc.WriteTo(append([]byte("got:"), buf[:n]...), from)
		}
	}()
	p := HostNetwork()
	defer p.Close()
	b := core.PortBinding{Proto: "udp", ContainerPort: uint16(svc.LocalAddr().(*net.UDPAddr).Port), HostIP: "127.0.0.1", HostPort: freePort(t, "udp")}
	if err := p.Publish(context.Background(), core.Workload{ID: "c1"}, []core.PortBinding{b}); err != nil {
		t.Fatal(err)
	}
	c, err := net.Dial("udp", b.HostAddr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	c.Write([]byte("ping"))
	buf := make([]byte, 100)
	n, err := c.Read(buf)
	if err != nil || string(buf[:n]) != "got:ping" {
		t.Fatalf("through the forwarder: %q, %v; want got:ping", buf[:n], err)
	}
}

func TestPublishIsAllOrNothing(t *testing.T) {
	held, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	heldPort := uint16(held.Addr().(*net.TCPAddr).Port)
	free := freePort(t, "tcp")
	p := HostNetwork()
	defer p.Close()
	err = p.Publish(context.Background(), core.Workload{ID: "c1"}, []core.PortBinding{
		{Proto: "tcp", ContainerPort: 80, HostIP: "127.0.0.1", HostPort: free},
		{Proto: "tcp", ContainerPort: 81, HostIP: "127.0.0.1", HostPort: heldPort},
	})
	var inUse *core.PortInUseError
	if !errors.As(err, &inUse) || inUse.Binding.HostPort != heldPort {
		t.Fatalf("Publish over a held port: %v, want a PortInUseError for %d", err, heldPort)
	}
	l, err := net.Listen("tcp4", core.PortBinding{HostIP: "127.0.0.1", HostPort: free}.HostAddr())
	if err != nil {
		t.Fatalf("the binding that did open is still held after the failure: %v", err)
	}
	l.Close()
}

func TestSamePortIsTheContainersOwnListener(t *testing.T) {
	p := HostNetwork()
	defer p.Close()
	port := freePort(t, "tcp")
	// The container's own listener on the port: publishing it on the same
	// host port must not try to bind it again.
	own, err := net.Listen("tcp4", "0.0.0.0:"+itoa(port))
	if err != nil {
		t.Fatal(err)
	}
	defer own.Close()
	b := core.PortBinding{Proto: "tcp", ContainerPort: port, HostIP: "0.0.0.0", HostPort: port}
	if err := p.Publish(context.Background(), core.Workload{ID: "c1"}, []core.PortBinding{b}); err != nil {
		t.Fatalf("Publish of host port = container port: %v", err)
	}
}

func itoa(p uint16) string { return strconv.Itoa(int(p)) }
