package dynamo_test

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/sockerless/sockerless/functions/state"
	"github.com/sockerless/sockerless/functions/state/dynamo"
	"github.com/sockerless/sockerless/functions/state/statetest"
)

// TestSimulator runs the conformance suite against the workspace's AWS
// simulator, built from source (it shares nothing with this module but
// the wire format, so it is run as a process, not imported).
func TestSimulator(t *testing.T) {
	runSuite(t, simulator(t))
}

// simulator starts the workspace's AWS simulator for one test and
// returns its endpoint.
func simulator(t testing.TB) string {
	bin := buildSimulator(t)
	addr := freeAddr(t)
	start(t, exec.Command(bin, "--addr", addr, "--data", t.TempDir()), addr)
	return "http://" + addr
}

// TestMoto runs the same suite against moto, an independent DynamoDB
// emulator, when it is installed.
func TestMoto(t *testing.T) {
	bin, err := exec.LookPath("moto_server")
	if err != nil {
		t.Skip("moto_server is not on PATH; skipping the moto run")
	}
	addr := freeAddr(t)
	host, port, _ := net.SplitHostPort(addr)
	start(t, exec.Command(bin, "-H", host, "-p", port), addr)
	runSuite(t, "http://"+addr)
}

// runSuite runs statetest with a fresh table per store.
func runSuite(t *testing.T, endpoint string) {
	client := newClient(t, endpoint)
	var n atomic.Int64
	prefix := fmt.Sprintf("state-%d", time.Now().UnixNano())
	statetest.Run(t, func(t *testing.T) state.Store {
		table := fmt.Sprintf("%s-%d", prefix, n.Add(1))
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		if err := dynamo.CreateTable(ctx, client, table); err != nil {
			t.Fatal(err)
		}
		s, err := dynamo.New(ctx, client, table)
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}

func newClient(t testing.TB, endpoint string) *dynamodb.Client {
	t.Helper()
	cfg, err := config.LoadDefaultConfig(t.Context(),
		config.WithRegion("us-east-1"),
		config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider("test", "test", "")),
	)
	if err != nil {
		t.Fatal(err)
	}
	return dynamodb.NewFromConfig(cfg, func(o *dynamodb.Options) {
		o.BaseEndpoint = aws.String(endpoint)
	})
}

// buildSimulator builds simulators/aws/cmd/awssim from the workspace.
func buildSimulator(t testing.TB) string {
	t.Helper()
	out, err := exec.Command("go", "env", "GOWORK").Output()
	work := strings.TrimSpace(string(out))
	if err != nil || work == "" || work == "off" {
		t.Skipf("not in a go.work workspace (GOWORK=%q, %v); the simulator cannot be built", work, err)
	}
	bin := filepath.Join(t.TempDir(), "awssim")
	cmd := exec.Command("go", "build", "-o", bin, "./simulators/aws/cmd/awssim")
	cmd.Dir = filepath.Dir(work)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build awssim: %v\n%s", err, out)
	}
	return bin
}

func freeAddr(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// start runs cmd until the test ends and waits until addr accepts.
func start(t testing.TB, cmd *exec.Cmd, addr string) {
	t.Helper()
	var logs strings.Builder
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", cmd.Path, err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	t.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt)
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			cmd.Process.Kill()
			<-done
		}
	})
	deadline := time.Now().Add(20 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err == nil {
			c.Close()
			return
		}
		select {
		case <-done:
			t.Fatalf("%s exited before listening:\n%s", cmd.Path, logs.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s not listening on %s after 20s", cmd.Path, addr)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
