package core_test

import (
	"context"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/network"
	"github.com/sockerless/sockerless/functions/call"
	"github.com/sockerless/sockerless/functions/core"
)

// publishing sets PortBindings on a create request.
func publishing(bindings network.PortMap, exposed ...string) func(*container.CreateRequest) {
	return func(cr *container.CreateRequest) {
		cr.HostConfig = &container.HostConfig{PortBindings: bindings}
		cr.Config.ExposedPorts = network.PortSet{}
		for _, p := range exposed {
			cr.Config.ExposedPorts[network.MustParsePort(p)] = struct{}{}
		}
	}
}

func freeTCPPort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func TestPortPublishing(t *testing.T) {
	h := newHarness(t)
	img := h.importImage(t, "ports:1")
	start := func(id string) call.Reply {
		return h.do(t, req{op: call.OpContainerStart, vars: name(id)})
	}
	p80 := network.MustParsePort("80/tcp")

	t.Run("an unnamed host port is an ephemeral one on 0.0.0.0 and [::], listening", func(t *testing.T) {
		id := h.create(t, "", img, publishing(network.PortMap{p80: {{}}}, "7/tcp"))
		if rep := start(id); rep.Status != http.StatusNoContent {
			t.Fatalf("start: %d %s", rep.Status, rep.Body)
		}
		ports := h.inspect(t, id).NetworkSettings.Ports
		if bs, ok := ports[network.MustParsePort("7/tcp")]; !ok || bs != nil {
			t.Errorf("exposed, unpublished 7/tcp = %v (present %v), want null", bs, ok)
		}
		bs := ports[p80]
		if len(bs) != 2 || bs[0].HostIP != netip.IPv4Unspecified() || bs[1].HostIP != netip.IPv6Unspecified() || bs[0].HostPort != bs[1].HostPort {
			t.Fatalf("80/tcp = %+v, want 0.0.0.0 and :: on one port", bs)
		}
		port, _ := strconv.Atoi(bs[0].HostPort)
		if port < 32768 || port > 60999 {
			t.Errorf("host port %d is outside the ephemeral range", port)
		}
		c, err := net.DialTimeout("tcp", "127.0.0.1:"+bs[0].HostPort, 5*time.Second)
		if err != nil {
			t.Fatalf("the published port does not listen: %v", err)
		}
		c.Close()
		var list []container.Summary
		h.ok(t, req{op: call.OpContainerList, query: filterQuery(map[string][]string{"id": {id}})}, http.StatusOK, &list)
		if len(list) != 1 || len(list[0].Ports) != 3 || list[0].Ports[0].PrivatePort != 7 || list[0].Ports[1].PublicPort != uint16(port) {
			t.Errorf("list Ports = %+v, want 7/tcp bare then 80/tcp on both addresses", list)
		}
	})

	t.Run("a host port a container holds is refused to the next, and freed at its exit", func(t *testing.T) {
		port := strconv.Itoa(freeTCPPort(t))
		bind := publishing(network.PortMap{p80: {{HostIP: netip.MustParseAddr("127.0.0.1"), HostPort: port}}})
		first := h.create(t, "holder", img, bind)
		if rep := start(first); rep.Status != http.StatusNoContent {
			t.Fatalf("start: %d %s", rep.Status, rep.Body)
		}
		second := h.create(t, "", img, bind)
		rep := start(second)
		if msg := errorMessage(rep); rep.Status != http.StatusInternalServerError || !strings.HasSuffix(msg, "Bind for 127.0.0.1:"+port+" failed: port is already allocated") {
			t.Errorf("second start: %d %q, want 500 port is already allocated", rep.Status, msg)
		}
		// The agent reports the exit, as at docker stop.
		h.ok(t, req{op: call.OpContainerExited, vars: map[string]string{"id": first}, body: call.ExitReport{ExitCode: 143}}, http.StatusOK, nil)
		if ports := h.inspect(t, first).NetworkSettings.Ports; len(ports) != 0 {
			t.Errorf("Ports of a stopped container = %v, want {}", ports)
		}
		if rep := start(second); rep.Status != http.StatusNoContent {
			t.Errorf("start once the port is free: %d %s", rep.Status, rep.Body)
		}
	})

	t.Run("a host port another program holds is dockerd's userland proxy error", func(t *testing.T) {
		l, err := net.Listen("tcp4", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		port := strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
		id := h.create(t, "", img, publishing(network.PortMap{p80: {{HostIP: netip.MustParseAddr("127.0.0.1"), HostPort: port}}}))
		rep := start(id)
		want := "Error starting userland proxy: listen tcp4 127.0.0.1:" + port + ": bind: address already in use"
		if msg := errorMessage(rep); rep.Status != http.StatusInternalServerError || !strings.HasSuffix(msg, want) {
			t.Errorf("start: %d %q, want 500 ending %q", rep.Status, msg, want)
		}
	})

	t.Run("a range takes its first free port", func(t *testing.T) {
		a, b := freeTCPPort(t), 0
		for b = a + 1; b < a+50; b++ {
			if l, err := net.Listen("tcp4", "127.0.0.1:"+strconv.Itoa(b)); err == nil {
				l.Close()
				break
			}
		}
		lo := netip.MustParseAddr("127.0.0.1")
		hold := h.create(t, "", img, publishing(network.PortMap{p80: {{HostIP: lo, HostPort: strconv.Itoa(a)}}}))
		start(hold)
		id := h.create(t, "", img, publishing(network.PortMap{p80: {{HostIP: lo, HostPort: strconv.Itoa(a) + "-" + strconv.Itoa(b)}}}))
		if rep := start(id); rep.Status != http.StatusNoContent {
			t.Fatalf("start: %d %s", rep.Status, rep.Body)
		}
		if bs := h.inspect(t, id).NetworkSettings.Ports[p80]; len(bs) != 1 || bs[0].HostPort != strconv.Itoa(b) {
			t.Errorf("80/tcp = %+v, want 127.0.0.1:%d", bs, b)
		}
	})
}

func TestPortBindingsRefused(t *testing.T) {
	h := newHarness(t)
	img := h.importImage(t, "ports:1")
	bare := newHarnessWith(t, func(c *core.Config) { c.Compute = struct{ core.Compute }{c.Compute} })
	bareImg := bare.importImage(t, "ports:1")
	for _, tc := range []struct {
		name   string
		h      *harness
		img    string
		body   string
		status int
		msg    string
	}{
		{"a host port that is not a number", h, img, `{"80/tcp":[{"HostPort":"http"}]}`, http.StatusBadRequest, `invalid port specification: "http"`},
		{"a host port range upside down", h, img, `{"80/tcp":[{"HostPort":"9-1"}]}`, http.StatusBadRequest, `invalid port specification: "9-1"`},
		{"a container port that is not a number", h, img, `{"eighty/tcp":[{"HostPort":"80"}]}`, http.StatusBadRequest, `invalid port specification: "eighty"`},
		{"a host address that is not one", h, img, `{"80/tcp":[{"HostIp":"x","HostPort":"80"}]}`, http.StatusBadRequest, "invalid JSON: "},
		{"another container's network", h, img, `{"80/tcp":[{}]},"NetworkMode":"container:x"`, http.StatusBadRequest, "conflicting options: port publishing and the container type network mode"},
		{"a backend that cannot publish", bare, bareImg, `{"80/tcp":[{}]}`, http.StatusNotImplemented, "publishing ports is not supported by the local backend"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body := `{"Image":"` + tc.img + `","Cmd":["sh"],"HostConfig":{"PortBindings":` + tc.body + `}}`
			rep := tc.h.do(t, req{op: call.OpContainerCreate, query: url.Values{}, body: []byte(body)})
			if msg := errorMessage(rep); rep.Status != tc.status || !strings.HasPrefix(msg, tc.msg) {
				t.Errorf("create: %d %q, want %d %q", rep.Status, msg, tc.status, tc.msg)
			}
		})
	}
}

// TestPortClaimOfAGoneWorkloadIsTakenOver: a container the store still
// thinks runs, whose workload went with a restart of local mode, does
// not keep its host port.
func TestPortClaimOfAGoneWorkloadIsTakenOver(t *testing.T) {
	h := newHarness(t)
	img := h.importImage(t, "ports:1")
	port := strconv.Itoa(freeTCPPort(t))
	bind := publishing(network.PortMap{network.MustParsePort("80/tcp"): {{HostIP: netip.MustParseAddr("127.0.0.1"), HostPort: port}}})
	old := h.create(t, "", img, bind)
	h.ok(t, req{op: call.OpContainerStart, vars: name(old)}, http.StatusNoContent, nil)
	// The process that ran it ends: its listeners close, its records stay.
	_ = h.starts.Driver.Unpublish(context.Background(), old)
	restarted := newHarnessWith(t, func(c *core.Config) { c.Store = h.cfg.Store })
	// Its driver keeps the images' content elsewhere: import it there.
	id := restarted.create(t, "", restarted.importImage(t, "ports:2"), bind)
	if rep := restarted.do(t, req{op: call.OpContainerStart, vars: name(id)}); rep.Status != http.StatusNoContent {
		t.Fatalf("start on the port of a gone workload: %d %s", rep.Status, rep.Body)
	}
	if st := restarted.inspect(t, old).State; st.Running || st.ExitCode != 255 {
		t.Errorf("the gone workload's container: %+v, want exited 255", st)
	}
}
