package cli_test

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sockerless/sockerless/agent/internal/syncbuf"
)

// The agent module shares nothing with the AWS simulator but its wire
// format, so these helpers build and run it as a process and speak to
// it over HTTP with SigV4, as any AWS client does.

// workspaceRoot is the folder holding go.work; tests skip outside one.
func workspaceRoot(t *testing.T) string {
	t.Helper()
	out, err := exec.Command("go", "env", "GOWORK").Output()
	work := strings.TrimSpace(string(out))
	if err != nil || work == "" || work == "off" {
		t.Skipf("not in a go.work workspace (GOWORK=%q, %v): the simulator cannot be built", work, err)
	}
	return filepath.Dir(work)
}

var builds struct {
	sync.Mutex
	dir  string
	bins map[string]string
}

// build builds the workspace package pkg once per test binary and
// returns the executable's path.
func build(t *testing.T, pkg string) string {
	t.Helper()
	root := workspaceRoot(t)
	builds.Lock()
	defer builds.Unlock()
	if bin, ok := builds.bins[pkg]; ok {
		return bin
	}
	if builds.dir == "" {
		dir, err := os.MkdirTemp("", "agent-cli-test-")
		if err != nil {
			t.Fatal(err)
		}
		builds.dir, builds.bins = dir, map[string]string{}
	}
	bin := filepath.Join(builds.dir, filepath.Base(pkg))
	cmd := exec.Command("go", "build", "-o", bin, pkg)
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build %s: %v\n%s", pkg, err, out)
	}
	builds.bins[pkg] = bin
	return bin
}

func TestMain(m *testing.M) {
	code := m.Run()
	if builds.dir != "" {
		os.RemoveAll(builds.dir)
	}
	os.Exit(code)
}

// startSimulator runs awssim on a free loopback port until the test ends
// and returns its endpoint.
func startSimulator(t *testing.T) string {
	t.Helper()
	bin := build(t, "./simulators/aws/cmd/awssim")
	addr := freeAddr(t)
	var logs syncbuf.Buffer
	cmd := exec.Command(bin, "--addr", addr, "--data", t.TempDir(), "--runtime", "sandbox")
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
		if t.Failed() {
			t.Logf("awssim output:\n%s", logs.String())
		}
	})
	for deadline := time.Now().Add(20 * time.Second); ; {
		if c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond); err == nil {
			c.Close()
			return "http://" + addr
		}
		select {
		case <-done:
			t.Fatalf("awssim exited before listening:\n%s", logs.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("awssim not listening on %s after 20s", addr)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// awsCall sends a SigV4-signed request with the simulator's default
// credentials (test:test) for service in us-east-1.
func awsCall(t *testing.T, method, url, service string, body []byte, hdr map[string]string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	sign(req, body, service, "us-east-1", "test", "test", time.Now().UTC())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, b
}

// sign adds SigV4 headers over host and x-amz-date. Paths here need no
// escaping, so the canonical URI is the path itself.
func sign(req *http.Request, body []byte, service, region, key, secret string, now time.Time) {
	amzDate := now.Format("20060102T150405Z")
	date := now.Format("20060102")
	req.Header.Set("X-Amz-Date", amzDate)
	bodySum := sha256.Sum256(body)
	canonical := strings.Join([]string{
		req.Method,
		req.URL.EscapedPath(),
		req.URL.RawQuery,
		"host:" + req.URL.Host + "\n" + "x-amz-date:" + amzDate + "\n",
		"host;x-amz-date",
		hex.EncodeToString(bodySum[:]),
	}, "\n")
	sum := sha256.Sum256([]byte(canonical))
	scope := date + "/" + region + "/" + service + "/aws4_request"
	toSign := "AWS4-HMAC-SHA256\n" + amzDate + "\n" + scope + "\n" + hex.EncodeToString(sum[:])
	k := hmacSHA256([]byte("AWS4"+secret), date)
	for _, part := range []string{region, service, "aws4_request"} {
		k = hmacSHA256(k, part)
	}
	req.Header.Set("Authorization", fmt.Sprintf("AWS4-HMAC-SHA256 Credential=%s/%s, SignedHeaders=host;x-amz-date, Signature=%s",
		key, scope, hex.EncodeToString(hmacSHA256(k, toSign))))
}

func hmacSHA256(key []byte, data string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(data))
	return m.Sum(nil)
}
