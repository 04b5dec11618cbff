package e2e

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/sockerless/sockerless/e2e/harness"
)

// portScenarios check port publishing as dockerd does it: what docker
// port, inspect and ps show, the host reaching a published port, a host
// port taken twice, ports freed at stop, and bad bindings. Host and
// container ports are drawn free on this machine: the local runtimes'
// containers share the host's network.
func portScenarios() []Scenario {
	serve := "while true; do echo hello-@name@ | nc -l -p @cport@; done"
	return []Scenario{
		{Name: "port_publish", Steps: []Step{
			{Do: freePortStep, Save: "hport", Shape: ShapeCode},
			{Do: freePortStep, Save: "cport", Shape: ShapeCode},
			{Args: d("run", "-d", "--name", "@name@", "-p", "@hport@:@cport@", "--expose", "7", "@img@", "sh", "-c", serve), Shape: ShapeLines},
			{Args: d("port", "@name@", "@cport@"), Checks: []Check{OutMatch(`^0\.0\.0\.0:@hport@\n`)}},
			{Args: d("port", "@name@"), Checks: []Check{OutContains("@cport@/tcp -> 0.0.0.0:@hport@\n")}},
			{Args: d("inspect", "--format", "{{json .NetworkSettings.Ports}}", "@name@"),
				Checks: []Check{OutContains(`"7/tcp":null`, `"@cport@/tcp":[{"HostIp":"0.0.0.0","HostPort":"@hport@"}`)}},
			{Args: d("ps", "--filter", "name=@name@", "--format", "{{.Ports}}"), Checks: []Check{OutContains("7/tcp", "0.0.0.0:@hport@->@cport@/tcp")}},
			{Do: readPort("127.0.0.1:@hport@"), Checks: []Check{Out("hello-@name@\n")}, Until: 10 * time.Second},
			// A host port one container holds is refused to the next.
			{Args: d("run", "-d", "--name", "@name@-b", "-p", "@hport@:@cport@", "@img@", "sleep", "60"), Code: 125,
				Checks: []Check{ErrContains("Bind for 0.0.0.0:@hport@ failed: port is already allocated")}, Shape: ShapeCode},
			// Stopping frees it; starting again publishes it again.
			{Args: d("stop", "-t", "1", "@name@"), Shape: ShapeLines},
			{Args: d("inspect", "--format", "{{json .NetworkSettings.Ports}}", "@name@"), Checks: []Check{Out("{}\n")}},
			{Args: d("port", "@name@"), Checks: []Check{OutEmpty()}},
			{Args: d("start", "@name@"), Shape: ShapeLines},
			{Args: d("port", "@name@", "@cport@"), Checks: []Check{OutMatch(`^0\.0\.0\.0:@hport@\n`)}},
			{Do: readPort("127.0.0.1:@hport@"), Checks: []Check{Out("hello-@name@\n")}, Until: 10 * time.Second},
			{Args: d("rm", "-f", "@name@", "@name@-b"), AnyCode: true, Shape: ShapeCode},
		}},
		{Name: "port_publish_all_and_loopback", Steps: []Step{
			{Do: freePortStep, Save: "cport", Shape: ShapeCode},
			{Args: d("run", "-d", "--name", "@name@", "-P", "--expose", "@cport@", "--expose", "9/udp", "@img@", "sh", "-c", serve), Shape: ShapeLines},
			{Args: d("port", "@name@", "@cport@/tcp"), Checks: []Check{OutMatch(`^0\.0\.0\.0:\d+\n`)}, Shape: ShapeLines},
			{Args: d("port", "@name@", "9/udp"), Checks: []Check{OutMatch(`^0\.0\.0\.0:\d+\n`)}, Shape: ShapeLines},
			{Args: d("port", "@name@", "@cport@/tcp"), Save: "pub", Shape: ShapeCode},
			{Do: readPublished("@pub@"), Checks: []Check{Out("hello-@name@\n")}, Until: 10 * time.Second},
			{Args: d("rm", "-f", "@name@"), Shape: ShapeLines},
			// Asked on 127.0.0.1, on that address only.
			{Args: d("run", "-d", "--name", "@name@-lo", "-p", "127.0.0.1::@cport@", "@img@", "sh", "-c", serve), Shape: ShapeLines},
			{Args: d("port", "@name@-lo", "@cport@"), Checks: []Check{OutMatch(`^127\.0\.0\.1:\d+\n$`)}, Save: "lo", Shape: ShapeLines},
			{Do: readPublished("@lo@"), Checks: []Check{Out("hello-@name@\n")}, Until: 10 * time.Second},
			{Args: d("rm", "-f", "@name@-lo"), Shape: ShapeLines},
			// Exposed, not published: null in inspect, bare in ps.
			{Args: d("run", "-d", "--name", "@name@-x", "--expose", "9", "@img@", "sleep", "60"), Shape: ShapeLines},
			{Args: d("inspect", "--format", "{{json .NetworkSettings.Ports}}", "@name@-x"), Checks: []Check{Out(`{"9/tcp":null}` + "\n")}},
			{Args: d("ps", "--filter", "name=@name@-x", "--format", "{{.Ports}}"), Checks: []Check{Out("9/tcp\n")}},
			{Args: d("rm", "-f", "@name@-x"), Shape: ShapeLines},
		}},
		{Name: "port_range_and_bad_bindings", Steps: []Step{
			{Args: d("run", "-d", "--name", "@name@", "-p", "127.0.0.1:40100-40110:80", "@img@", "sleep", "60"), Shape: ShapeLines},
			{Args: d("port", "@name@", "80"), Checks: []Check{OutMatch(`^127\.0\.0\.1:401[01]\d\n$`)}, Shape: ShapeLines},
			{Args: d("rm", "-f", "@name@"), Shape: ShapeLines},
			{Do: createWithBindings(`{"80/tcp":[{"HostPort":"http"}]}`)},
			{Do: createWithBindings(`{"80/tcp":[{"HostPort":"9-1"}]}`)},
			{Do: createWithBindings(`{"eighty/tcp":[{"HostPort":"80"}]}`)},
			// Another container's network has no ports of its own.
			{Args: d("run", "-d", "--name", "@name@-net", "@img@", "sleep", "60"), Shape: ShapeLines},
			{Do: createWithBindings(`{"80/tcp":[{}]},"NetworkMode":"container:@name@-net"`)},
			{Args: d("rm", "-f", "@name@-net"), Shape: ShapeLines},
		}},
	}
}

// freePortStep prints a TCP port free on this machine.
func freePortStep(*Session) harness.Result {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fail(err.Error())
	}
	defer l.Close()
	return harness.Result{Stdout: strconv.Itoa(l.Addr().(*net.TCPAddr).Port) + "\n"}
}

// readPort prints the first line the service at addr sends a host
// connection. It stops at the line, not at EOF: busybox's nc keeps the
// connection open after its input ends until the peer closes it.
func readPort(addr string) func(s *Session) harness.Result {
	return func(s *Session) harness.Result {
		c, err := net.DialTimeout("tcp", s.Expand(addr), 5*time.Second)
		if err != nil {
			return fail(err.Error())
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(5 * time.Second))
		line, err := bufio.NewReader(c).ReadString('\n')
		if err != nil && !(errors.Is(err, io.EOF) && line != "") {
			return fail(fmt.Sprintf("read %q: %v", line, err))
		}
		return harness.Result{Stdout: line}
	}
}

// readPublished is readPort at the port of docker port's first line
// (0.0.0.0:P or 127.0.0.1:P), reached at 127.0.0.1.
func readPublished(published string) func(s *Session) harness.Result {
	return func(s *Session) harness.Result {
		first, _, _ := strings.Cut(s.Expand(published), "\n")
		_, port, err := net.SplitHostPort(strings.TrimSpace(first))
		if err != nil {
			return fail(fmt.Sprintf("docker port printed %q: %v", published, err))
		}
		return readPort("127.0.0.1:" + port)(s)
	}
}

// createWithBindings creates a container with bindings (a PortBindings
// object, and what else of HostConfig follows it) through the API, as
// clients other than the CLI may send it: dockerd answers 400 with a
// message.
func createWithBindings(bindings string) func(s *Session) harness.Result {
	return func(s *Session) harness.Result {
		body := fmt.Sprintf(`{"Image":%q,"Cmd":["true"],"HostConfig":{"PortBindings":%s}}`, TestImage, s.Expand(bindings))
		r, err := s.E.HTTP("POST", "/containers/create", http.Header{"Content-Type": {"application/json"}}, strings.NewReader(body))
		if err != nil {
			return fail(err.Error())
		}
		var m struct{ Message, Id string }
		_ = json.Unmarshal(r.Body, &m)
		if m.Id != "" {
			_, _ = s.E.HTTP("DELETE", "/containers/"+m.Id+"?force=1", nil, nil)
		}
		out := fmt.Sprintf("%d %s\n", r.Status, m.Message)
		if r.Status != http.StatusBadRequest || m.Message == "" {
			return harness.Result{Stdout: out, Stderr: "want 400 with a message, got " + out, Code: 1}
		}
		return harness.Result{Stdout: out}
	}
}
