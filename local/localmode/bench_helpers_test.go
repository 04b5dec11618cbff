package localmode

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/moby/moby/client"
	"github.com/sockerless/sockerless/functions/testing/registrytest"
)

// benchLocal runs local mode in-process the way the sockerless binary
// does (no envelope serialization), so the figures are what a user
// gets, and returns an SDK client for it and its socket path.
func benchLocal(tb testing.TB) (*Instance, *client.Client, string) {
	tb.Helper()
	sock := filepath.Join(benchTempDir(tb), "docker.sock")
	inst, cli := startWith(tb, context.Background(), Options{Socket: sock, DataDir: tb.TempDir()})
	return inst, cli, sock
}

// benchTempDir is a short directory under os.TempDir: unix socket paths
// must stay under 108 bytes, which b.TempDir() under a long benchmark
// name can exceed.
func benchTempDir(tb testing.TB) string {
	tb.Helper()
	d, err := os.MkdirTemp("", "slb")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { os.RemoveAll(d) })
	return d
}

// benchImage pushes a minimal image to a fresh registry, pulls it into
// local mode and returns its reference. `true` is a sandbox built-in, so
// the image needs no binaries.
func benchImage(tb testing.TB, cli *client.Client) string {
	tb.Helper()
	reg := registrytest.Start(tb)
	img := registrytest.Image(tb, registrytest.BaseFiles(), v1.Config{
		Env: []string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"},
		Cmd: []string{"true"},
	})
	ref := reg.Push(tb, "bench/true:1", img)
	rc, err := cli.ImagePull(context.Background(), ref, client.ImagePullOptions{})
	if err != nil {
		tb.Fatal(err)
	}
	defer rc.Close()
	body, _ := io.ReadAll(rc)
	if !bytes.Contains(body, []byte("Status: Downloaded newer image")) {
		tb.Fatalf("pull of %s did not finish:\n%s", ref, body)
	}
	return ref
}

// unixHTTPClient is a plain keep-alive HTTP client that dials sock, so a
// request costs what the edge adds and nothing the SDK adds.
func unixHTTPClient(sock string) *http.Client {
	return &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", sock)
		},
		MaxIdleConnsPerHost: 1,
	}}
}

// waitPing polls GET /_ping on sock until it answers 200 "OK" or the
// deadline passes.
func waitPing(sock string, within time.Duration) error {
	hc := unixHTTPClient(sock)
	defer hc.CloseIdleConnections()
	deadline := time.Now().Add(within)
	var last error
	for time.Now().Before(deadline) {
		resp, err := hc.Get("http://docker/_ping")
		if err == nil {
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK && string(body) == "OK" {
				return nil
			}
			err = fmt.Errorf("ping: %s %q", resp.Status, body)
		}
		last = err
		time.Sleep(20 * time.Millisecond)
	}
	return fmt.Errorf("no answer to /_ping on %s within %s: %v", sock, within, last)
}

// medianOf returns the median of ds (the mean of the middle two when
// the count is even); 0 for none.
func medianOf(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func micros(d time.Duration) float64 { return float64(d.Nanoseconds()) / 1e3 }
func millis(d time.Duration) float64 { return float64(d.Nanoseconds()) / 1e6 }

// buildSockerless builds ./local/cmd/sockerless from the workspace root.
func buildSockerless(b *testing.B) string {
	b.Helper()
	out, err := exec.Command("go", "env", "GOWORK").Output()
	if err != nil {
		b.Fatalf("go env GOWORK: %v", err)
	}
	work := strings.TrimSpace(string(out))
	if work == "" || work == "off" {
		b.Fatal("not in a go.work workspace: cannot find the root to build ./local/cmd/sockerless")
	}
	bin := filepath.Join(b.TempDir(), "sockerless")
	build := exec.Command("go", "build", "-o", bin, "./local/cmd/sockerless")
	build.Dir = filepath.Dir(work)
	if msg, err := build.CombinedOutput(); err != nil {
		b.Fatalf("go build ./local/cmd/sockerless: %v\n%s", err, msg)
	}
	return bin
}

// vmRSS reads the VmRSS line of /proc/PID/status, in KiB.
func vmRSS(pid int) (int64, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, fmt.Errorf("reading RSS needs Linux /proc: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		rest, ok := strings.CutPrefix(sc.Text(), "VmRSS:")
		if !ok {
			continue
		}
		fields := strings.Fields(rest)
		if len(fields) != 2 || fields[1] != "kB" {
			return 0, fmt.Errorf("unexpected VmRSS line %q", sc.Text())
		}
		return strconv.ParseInt(fields[0], 10, 64)
	}
	if err := sc.Err(); err != nil {
		return 0, err
	}
	return 0, fmt.Errorf("no VmRSS in /proc/%d/status", pid)
}
