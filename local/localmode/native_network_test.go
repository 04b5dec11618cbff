package localmode

import (
	"context"
	"fmt"
	"net/netip"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/network"
	"github.com/moby/moby/client"
)

// TestNativeNetworks wires native containers to bridges as dockerd
// does: the addresses core allocated on their networks, reachable from
// the same network by address and (user networks) by name, not from
// another network; none, host and container:NAME; --add-host and --dns.
func TestNativeNetworks(t *testing.T) {
	_, cli, _ := nativeOrSkip(t)
	ctx := context.Background()
	importImage(t, ctx, cli, busyboxRootfs(t), "bb:1")
	for _, name := range []string{"front", "back"} {
		if _, err := cli.NetworkCreate(ctx, name, client.NetworkCreateOptions{}); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { cli.NetworkRemove(context.Background(), name, client.NetworkRemoveOptions{}) })
	}
	// A web server on each network, known there by its name and an alias.
	web := startDetached(t, cli, "web", "front", []string{"busybox", "httpd", "-f", "-p", "8080", "-h", "/etc"}, "www")
	other := startDetached(t, cli, "other", "back", []string{"busybox", "httpd", "-f", "-p", "8080", "-h", "/etc"})
	webIP, otherIP := addrOn(t, cli, web, "front"), addrOn(t, cli, other, "back")

	cases := []struct {
		name       string
		cmd        []string
		hc         *container.HostConfig
		net        string // a user network to join, else the HostConfig's
		wantCode   int64
		wantStdout func(string) bool
	}{
		{
			name: "the default bridge gives eth0 its address, MAC and route", cmd: []string{"sh", "-c", "busybox ip -o -4 addr show eth0; cat /sys/class/net/eth0/address; busybox ip route"},
			wantStdout: func(s string) bool {
				return strings.Contains(s, "inet 172.17.0.") && strings.Contains(s, "/16") &&
					strings.Contains(s, "02:42:ac:11:00:") && strings.Contains(s, "default via 172.17.0.1 dev eth0")
			},
		},
		{
			name: "a peer is reached by its name", cmd: fetch("web", 5),
			net: "front", wantStdout: servedBy(web),
		},
		{
			name: "a peer is reached by its alias", cmd: fetch("www", 5),
			net: "front", wantStdout: servedBy(web),
		},
		{
			name: "a peer is reached by its address", cmd: fetch(webIP.String(), 5),
			net: "front", wantStdout: servedBy(web),
		},
		{
			name: "another network's container is out of reach", cmd: fetch(otherIP.String(), 3),
			net: "front", wantCode: 1,
		},
		{
			// The embedded DNS server forwards what it does not know to
			// --dns, here the host's loopback, where nothing answers.
			name: "another network's names do not resolve", cmd: fetch("other", 3),
			hc:  &container.HostConfig{DNS: []netip.Addr{netip.MustParseAddr("127.0.0.1")}},
			net: "front", wantCode: 1,
		},
		{
			name: "network none has only loopback", cmd: []string{"ls", "/sys/class/net"},
			hc: &container.HostConfig{NetworkMode: "none"}, wantStdout: func(s string) bool { return s == "lo\n" },
		},
		{
			name: "network host is the host's", cmd: []string{"busybox", "readlink", "/proc/self/ns/net"},
			hc: &container.HostConfig{NetworkMode: "host"}, wantStdout: func(s string) bool {
				host, _ := os.Readlink("/proc/self/ns/net")
				return s == host+"\n"
			},
		},
		{
			name: "network container:NAME shares its namespace", cmd: fetch("127.0.0.1", 5),
			hc: &container.HostConfig{NetworkMode: "container:web"}, wantStdout: servedBy(web),
		},
		{
			name: "--add-host and host-gateway are in /etc/hosts", cmd: []string{"cat", "/etc/hosts"},
			hc: &container.HostConfig{ExtraHosts: []string{"db:10.1.2.3", "gw:host-gateway"}},
			wantStdout: func(s string) bool {
				return strings.Contains(s, "10.1.2.3\tdb\n") && strings.Contains(s, "172.17.0.1\tgw\n")
			},
		},
		{
			name: "--dns, --dns-search and --dns-option make resolv.conf", cmd: []string{"cat", "/etc/resolv.conf"},
			hc: &container.HostConfig{DNS: []netip.Addr{netip.MustParseAddr("10.0.0.53")}, DNSSearch: []string{"example.test"}, DNSOptions: []string{"ndots:2"}},
			wantStdout: func(s string) bool {
				return strings.Contains(s, "nameserver 10.0.0.53\n") && strings.Count(s, "nameserver") == 1 &&
					strings.Contains(s, "search example.test\n") && strings.Contains(s, "options ndots:2\n")
			},
		},
	}
	t.Run("a peer started later resolves through the embedded DNS server", func(t *testing.T) {
		early := startDetached(t, cli, "early", "front", []string{"sleep", "60"})
		late := startDetached(t, cli, "late", "front", []string{"busybox", "httpd", "-f", "-p", "8080", "-h", "/etc"})
		hosts, _ := execOut(t, cli, early, "cat", "/etc/hosts")
		if strings.Contains(hosts, "late") {
			t.Fatalf("the early container's /etc/hosts names the late one:\n%s", hosts)
		}
		out, code := execOut(t, cli, early, fetch("late", 5)...)
		if code != 0 || !servedBy(late)(out) {
			t.Errorf("exit %d, output %q", code, out)
		}
	})
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			run := runNativeOn(t, cli, &container.Config{Image: "bb:1", Cmd: tc.cmd}, tc.hc, tc.net)
			if run.code != tc.wantCode {
				t.Errorf("exit code %d, want %d (stdout %q, stderr %q)", run.code, tc.wantCode, run.stdout, run.stderr)
			}
			if tc.wantStdout != nil && !tc.wantStdout(run.stdout) {
				t.Errorf("stdout %q (stderr %q)", run.stdout, run.stderr)
			}
		})
	}
}

// runNativeOn is runNative with the container on user network net
// (when given).
func runNativeOn(t *testing.T, cli *client.Client, cfg *container.Config, hc *container.HostConfig, net string) nativeRun {
	if net == "" {
		return runNative(t, cli, cfg, hc)
	}
	if hc == nil {
		hc = &container.HostConfig{}
	}
	hc.NetworkMode = container.NetworkMode(net)
	return runNative(t, cli, cfg, hc)
}

// startDetached starts a container named name on network net, known
// there also by aliases, and removes it at the test's end.
func startDetached(t *testing.T, cli *client.Client, name, net string, cmd []string, aliases ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	created, err := cli.ContainerCreate(ctx, client.ContainerCreateOptions{
		Name: name, Config: &container.Config{Image: "bb:1", Cmd: cmd},
		HostConfig: &container.HostConfig{NetworkMode: container.NetworkMode(net)},
		NetworkingConfig: &network.NetworkingConfig{EndpointsConfig: map[string]*network.EndpointSettings{
			net: {Aliases: aliases},
		}},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cli.ContainerRemove(context.Background(), created.ID, client.ContainerRemoveOptions{Force: true})
	})
	if _, err := cli.ContainerStart(ctx, created.ID, client.ContainerStartOptions{}); err != nil {
		t.Fatal(err)
	}
	return created.ID
}

// addrOn is container id's address on network net.
func addrOn(t *testing.T, cli *client.Client, id, net string) netip.Addr {
	t.Helper()
	insp, err := cli.ContainerInspect(context.Background(), id, client.ContainerInspectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ep := insp.Container.NetworkSettings.Networks[net]
	if ep == nil || !ep.IPAddress.IsValid() {
		t.Fatalf("container %s has no address on %s: %+v", id, net, insp.Container.NetworkSettings.Networks)
	}
	return ep.IPAddress
}

// fetch is the command that asks host's web server on port 8080 for
// its /hostname, waiting up to wait seconds (busybox nc: the static
// busybox's wget crashes).
func fetch(host string, wait int) []string {
	return []string{"sh", "-c", fmt.Sprintf(`printf 'GET /hostname HTTP/1.0\r\n\r\n' | busybox nc -w %d %s 8080`, wait, host)}
}

// servedBy says the answer came from container id's web server.
func servedBy(id string) func(string) bool {
	return func(s string) bool {
		return strings.HasPrefix(s, "HTTP/1.1 200") && strings.HasSuffix(s, "\r\n\r\n"+id[:12]+"\n")
	}
}
