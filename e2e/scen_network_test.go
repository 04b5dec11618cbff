package e2e

import (
	"encoding/json"
	"fmt"
	"net/netip"
	"regexp"
	"strings"

	"github.com/sockerless/sockerless/e2e/harness"
)

// networkScenarios check what docker compose reads to decide a running
// service is still on its network: each endpoint's NetworkID, and the
// EndpointID, address, gateway and MAC dockerd gives it.
func networkScenarios() []Scenario {
	return []Scenario{
		{Name: "network_endpoints", Steps: []Step{
			{Args: d("network", "create", "@name@"), Save: "netid", Shape: ShapeLines},
			{Args: d("run", "-d", "--name", "@name@-a", "--network", "@name@", "@img@", "sleep", "60"), Shape: ShapeLines},
			{Args: d("run", "-d", "--name", "@name@-b", "--network", "@name@", "@img@", "sleep", "60"), Shape: ShapeLines},
			{Do: checkEndpoints("@name@", "@name@-a", "@name@-b"), Checks: []Check{Out("ok\n")}},
			{Args: d("run", "-d", "--name", "@name@-c", "@img@", "sleep", "60"), Shape: ShapeLines},
			{Do: checkEndpoints("bridge", "@name@-c"), Checks: []Check{Out("ok\n")}},
			// Leaving frees the address; joining again takes a free one.
			{Args: d("network", "disconnect", "@name@", "@name@-b"), Checks: []Check{OutEmpty()}},
			{Args: d("network", "connect", "@name@", "@name@-c"), Checks: []Check{OutEmpty()}},
			{Args: d("network", "connect", "@name@", "@name@-b"), Checks: []Check{OutEmpty()}},
			{Do: checkEndpoints("@name@", "@name@-a", "@name@-b", "@name@-c"), Checks: []Check{Out("ok\n")}},
			// A stopped container keeps its network, not its endpoint.
			{Args: d("stop", "-t", "1", "@name@-a"), Shape: ShapeLines},
			{Args: d("inspect", "--format", `{{with index .NetworkSettings.Networks "@name@"}}{{.NetworkID}} [{{.EndpointID}}] [{{.IPAddress}}] [{{.Gateway}}] [{{.MacAddress}}]{{end}}`, "@name@-a"),
				Checks: []Check{Out("@netid@ [] [] [] []\n")}},
			{Args: d("rm", "-f", "@name@-a", "@name@-b", "@name@-c"), Shape: ShapeLines},
			{Args: d("network", "rm", "@name@"), Checks: []Check{Out("@name@\n")}},
		}},
	}
}

// endpointView is the part of docker inspect the check reads; the
// top-level fields are the default bridge's, before API 1.52.
type endpointView struct {
	Name            string
	NetworkSettings struct {
		IPAddress, Gateway, MacAddress, EndpointID string
		IPPrefixLen                                int
		Networks                                   map[string]struct {
			NetworkID, EndpointID, IPAddress, Gateway, MacAddress string
			IPPrefixLen                                           int
		}
	}
}

type networkView struct {
	ID   string
	IPAM struct {
		Config []struct{ Subnet, Gateway string }
	}
	// Containers: id → endpoint.
	Containers map[string]struct {
		Name, EndpointID, MacAddress, IPv4Address string
	}
}

var hexID = regexp.MustCompile(`^[0-9a-f]{64}$`)

// checkEndpoints prints "ok" when every container is on net as dockerd
// puts it there, else what is wrong.
func checkEndpoints(net string, ctrs ...string) func(s *Session) harness.Result {
	return func(s *Session) harness.Result {
		name := s.Expand(net)
		var nets []networkView
		if err := inspectJSON(s, &nets, "network", "inspect", name); err != nil {
			return fail(err.Error())
		}
		args := []string{"inspect"}
		for _, c := range ctrs {
			args = append(args, s.Expand(c))
		}
		var views []endpointView
		if err := inspectJSON(s, &views, args...); err != nil {
			return fail(err.Error())
		}
		if err := endpointsProblem(name, nets[0], views); err != nil {
			return harness.Result{Stdout: err.Error() + "\n"}
		}
		return harness.Result{Stdout: "ok\n"}
	}
}

func endpointsProblem(name string, n networkView, views []endpointView) error {
	if len(n.IPAM.Config) == 0 {
		return fmt.Errorf("network %s has no IPAM config", name)
	}
	subnet, err := netip.ParsePrefix(n.IPAM.Config[0].Subnet)
	if err != nil {
		return fmt.Errorf("network %s subnet: %v", name, err)
	}
	gw := n.IPAM.Config[0].Gateway
	seen := map[string]string{}
	for _, v := range views {
		ep, ok := v.NetworkSettings.Networks[name]
		switch {
		case !ok:
			return fmt.Errorf("%s is not on %s", v.Name, name)
		case ep.NetworkID != n.ID:
			return fmt.Errorf("%s: NetworkID %q, want %q", v.Name, ep.NetworkID, n.ID)
		case !hexID.MatchString(ep.EndpointID):
			return fmt.Errorf("%s: EndpointID %q", v.Name, ep.EndpointID)
		case ep.Gateway != gw || ep.IPPrefixLen != subnet.Bits():
			return fmt.Errorf("%s: gateway %s/%d, want %s/%d", v.Name, ep.Gateway, ep.IPPrefixLen, gw, subnet.Bits())
		}
		ip, err := netip.ParseAddr(ep.IPAddress)
		if err != nil || !subnet.Contains(ip) || ep.IPAddress == gw {
			return fmt.Errorf("%s: address %q is not a host of %s", v.Name, ep.IPAddress, subnet)
		}
		if other, dup := seen[ep.IPAddress]; dup {
			return fmt.Errorf("%s and %s share %s", other, v.Name, ep.IPAddress)
		}
		seen[ep.IPAddress] = v.Name
		b := ip.As4()
		if want := fmt.Sprintf("02:42:%02x:%02x:%02x:%02x", b[0], b[1], b[2], b[3]); ep.MacAddress != want {
			return fmt.Errorf("%s: MAC %q, want %q", v.Name, ep.MacAddress, want)
		}
		var listed bool
		for _, c := range n.Containers {
			if "/"+c.Name == v.Name {
				listed = c.EndpointID == ep.EndpointID && c.MacAddress == ep.MacAddress &&
					c.IPv4Address == fmt.Sprintf("%s/%d", ep.IPAddress, ep.IPPrefixLen)
			}
		}
		if !listed {
			return fmt.Errorf("network inspect's Containers lacks %s's endpoint: %+v", v.Name, n.Containers)
		}
		top := v.NetworkSettings
		if name == "bridge" && (top.IPAddress != ep.IPAddress || top.Gateway != ep.Gateway || top.MacAddress != ep.MacAddress ||
			top.IPPrefixLen != ep.IPPrefixLen || top.EndpointID != ep.EndpointID) {
			return fmt.Errorf("%s: top-level NetworkSettings %+v differ from the bridge endpoint %+v", v.Name, top, ep)
		}
	}
	return nil
}

// inspectJSON runs a docker inspect command and decodes its array.
func inspectJSON(s *Session, v any, args ...string) error {
	r := s.E.Docker(args...)
	if r.Code != 0 {
		return fmt.Errorf("docker %s: %s", strings.Join(args, " "), r.Stderr)
	}
	return json.Unmarshal([]byte(r.Stdout), v)
}
