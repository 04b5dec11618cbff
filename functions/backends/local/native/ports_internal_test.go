//go:build linux && cgo

package native

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// TestDialInNetnsReachesTheNamespacesLoopback dials a listener that
// exists only on the loopback of a network namespace of its own, as a
// published port reaches a container with its own network.
func TestDialInNetnsReachesTheNamespacesLoopback(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("a network namespace needs root")
	}
	bb, err := exec.LookPath("busybox")
	if err != nil {
		t.Skip("no busybox (apt install busybox-static)")
	}
	// In a new network namespace: bring loopback up, say so, then answer
	// one connection on 127.0.0.1:7777.
	cmd := exec.Command("unshare", "--net", bb, "sh", "-c",
		bb+" ip link set lo up && echo up && echo in-namespace | "+bb+" nc -l -p 7777")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Skipf("unshare --net: %v", err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	if line, _ := bufio.NewReader(out).ReadString('\n'); line != "up\n" {
		t.Skipf("the namespace's loopback did not come up: %q", line)
	}
	ns := fmt.Sprintf("/proc/%d/ns/net", cmd.Process.Pid)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var got string
	for ctx.Err() == nil { // nc listens a moment after the echo
		c, err := dialInNetns(ctx, ns, "tcp", "127.0.0.1:7777")
		if err == nil {
			c.SetDeadline(time.Now().Add(5 * time.Second))
			b, _ := io.ReadAll(c)
			c.Close()
			got = string(b)
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if strings.TrimSpace(got) != "in-namespace" {
		t.Fatalf("read %q through the namespace, want in-namespace", got)
	}
}
