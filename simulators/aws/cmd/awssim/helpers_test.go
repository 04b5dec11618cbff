package main

import (
	"archive/tar"
	"bytes"
	"context"
	"encoding/base64"
	"io"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/tarball"

	"github.com/sockerless/sockerless/agent/hub"
	"github.com/sockerless/sockerless/simulators/aws/server"
)

// testTimeout bounds every wait of these tests.
const testTimeout = 30 * time.Second

// The agent binary, built once for the package.
var agentBuild struct {
	once sync.Once
	bin  []byte
	err  error
	out  []byte
}

// agentBinary is the real agent (agent/cmd/agent), built as the
// backends ship it: static, for linux.
func agentBinary(t *testing.T) []byte {
	t.Helper()
	agentBuild.once.Do(func() {
		dir, err := os.MkdirTemp("", "awssim-agent-")
		if err != nil {
			agentBuild.err = err
			return
		}
		defer os.RemoveAll(dir)
		cmd := exec.Command("go", "build", "-trimpath", "-ldflags", "-s -w", "-o", filepath.Join(dir, "agent"), "github.com/sockerless/sockerless/agent/cmd/agent")
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux")
		if agentBuild.out, agentBuild.err = cmd.CombinedOutput(); agentBuild.err == nil {
			agentBuild.bin, agentBuild.err = os.ReadFile(filepath.Join(dir, "agent"))
		}
	})
	if agentBuild.err != nil {
		t.Fatalf("building the agent: %v\n%s", agentBuild.err, agentBuild.out)
	}
	return agentBuild.bin
}

// sim is the simulator as awssim runs it (the agent registered as a
// sandbox native), with SDK configuration for it.
type sim struct {
	srv *server.Server
	cfg aws.Config
}

func startSim(t *testing.T) *sim {
	t.Helper()
	registerNatives()
	srv, err := server.New(server.Config{Addr: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	cfg, err := config.LoadDefaultConfig(context.Background(),
		config.WithRegion("us-east-1"),
		config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider("test", "test", "")),
		config.WithBaseEndpoint(srv.URL()),
		config.WithRetryMaxAttempts(1),
		config.WithSharedConfigProfile(""),
	)
	if err != nil {
		t.Fatal(err)
	}
	return &sim{srv: srv, cfg: cfg}
}

// push stores img in the simulator's ECR as repo:latest, logged in as
// docker login would be, and returns the reference.
func (s *sim) push(t *testing.T, repo string, img v1.Image) string {
	t.Helper()
	ctx := context.Background()
	c := ecr.NewFromConfig(s.cfg)
	r, err := c.CreateRepository(ctx, &ecr.CreateRepositoryInput{RepositoryName: aws.String(repo)})
	if err != nil {
		t.Fatal(err)
	}
	tok, err := c.GetAuthorizationToken(ctx, &ecr.GetAuthorizationTokenInput{})
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := base64.StdEncoding.DecodeString(*tok.AuthorizationData[0].AuthorizationToken)
	user, pass, _ := strings.Cut(string(raw), ":")
	uri := *r.Repository.RepositoryUri + ":latest"
	ref, err := name.ParseReference(uri, name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(ref, img, remote.WithAuth(&authn.Basic{Username: user, Password: pass})); err != nil {
		t.Fatal(err)
	}
	return uri
}

// file is one regular file of a test image.
type file struct {
	data string
	mode int64
}

// layer is a tar layer holding files (and their parent directories).
func layer(t *testing.T, files map[string]file) v1.Layer {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	dirs := map[string]bool{}
	for p, f := range files {
		for d := filepath.Dir(p); d != "." && !dirs[d]; d = filepath.Dir(d) {
			dirs[d] = true
			tw.WriteHeader(&tar.Header{Name: d + "/", Typeflag: tar.TypeDir, Mode: 0o755})
		}
		tw.WriteHeader(&tar.Header{Name: p, Typeflag: tar.TypeReg, Mode: f.mode, Size: int64(len(f.data))})
		tw.Write([]byte(f.data))
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	l, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(buf.Bytes())), nil })
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// image stacks layers under cfg.
func image(t *testing.T, cfg v1.Config, layers ...v1.Layer) v1.Image {
	t.Helper()
	img, err := mutate.AppendLayers(empty.Image, layers...)
	if err == nil {
		img, err = mutate.Config(img, cfg)
	}
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// userLayer is a user's image: no shell binary (the sandbox interprets
// sh itself), nothing of sockerless.
func userLayer(t *testing.T) v1.Layer {
	return layer(t, map[string]file{
		"etc/passwd":      {"root:x:0:0:root:/root:/bin/sh\n", 0o644},
		"etc/greeting":    {"from the user's image\n", 0o644},
		"app/placeholder": {"", 0o644},
	})
}

type exitReport struct {
	id   string
	code int
}

// serveHub is the edge's agent hub behind a real HTTP server, admitting
// any token; exits carries what the agents report.
func serveHub(t *testing.T) (url string, exits <-chan exitReport) {
	h := hub.New(func(context.Context, string, string) error { return nil })
	ch := make(chan exitReport, 8)
	h.OnExit(func(id string, code int, _ time.Time) { ch <- exitReport{id, code} })
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return "ws" + strings.TrimPrefix(srv.URL, "http") + "/agent/v1/connect", ch
}

// nextExit waits up to wait (testTimeout when 0) for an exit report.
func nextExit(t *testing.T, exits <-chan exitReport, wait time.Duration) exitReport {
	t.Helper()
	if wait == 0 {
		wait = testTimeout
	}
	select {
	case e := <-exits:
		return e
	case <-time.After(wait):
		t.Fatal("the hub saw no exit")
		return exitReport{}
	}
}

// waitFor polls ok until it holds, for at most testTimeout.
func waitFor(t *testing.T, what string, ok func() bool) {
	t.Helper()
	for deadline := time.Now().Add(testTimeout); !ok(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}
