package localmode

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/moby/moby/api/pkg/stdcopy"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/client"
	"github.com/sockerless/sockerless/edge/apiversion"
	"github.com/sockerless/sockerless/functions/call"
)

// These benchmarks measure local mode in-process (and, for memory, as
// the real binary). Each reports its figure with b.ReportMetric, logs
// one human line, and zeroes ns/op, which would only time the setup.
// Run them with:
//
//	go test -run '^$' -bench . -benchtime 1x ./local/...

const (
	listContainers     = 100 // containers the list benchmark lists
	listSamples        = 200 // timed list calls per path
	throughputTotal    = 1000
	throughputWorkers  = 4
	throughputBudget   = 3 * time.Minute
	runRmSamples       = 20
	perContainerBudget = 30 * time.Second
)

// BenchmarkEdgeOverhead compares GET /containers/json?all=1 through the
// edge on the unix socket with the same call handed to the function
// directly; the difference is what the edge (HTTP, routing, envelope)
// adds to every Docker call.
func BenchmarkEdgeOverhead(b *testing.B) {
	inst, cli, sock := benchLocal(b)
	ref := benchImage(b, cli)
	ctx := context.Background()
	for i := range listContainers {
		_, err := cli.ContainerCreate(ctx, client.ContainerCreateOptions{
			Name:   fmt.Sprintf("list-%03d", i),
			Config: &container.Config{Image: ref, Cmd: []string{"true"}},
		})
		if err != nil {
			b.Fatalf("create container %d: %v", i, err)
		}
	}

	hc := unixHTTPClient(sock)
	defer hc.CloseIdleConnections()
	viaEdge := func() ([]byte, error) {
		resp, err := hc.Get("http://docker/containers/json?all=1")
		if err != nil {
			return nil, err
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		if err == nil && resp.StatusCode != http.StatusOK {
			err = fmt.Errorf("edge: %s: %s", resp.Status, body)
		}
		return body, err
	}
	// The call the edge builds for that request, unversioned path
	// included.
	list := call.Call{
		Op: call.OpContainerList, Version: apiversion.Max,
		Query:  url.Values{"all": {"1"}},
		Header: http.Header{call.MethodHeader: {http.MethodGet}},
	}
	direct := func() ([]byte, error) {
		rep := inst.Function.Handle(ctx, list)
		if rep.Status != http.StatusOK {
			return nil, fmt.Errorf("function: status %d: %s", rep.Status, rep.Body)
		}
		return rep.Body, nil
	}
	paths := []struct {
		name string
		do   func() ([]byte, error)
	}{{"edge", viaEdge}, {"direct", direct}}

	// Both paths must see all the containers, and warm up before timing.
	for _, p := range paths {
		for range 10 {
			body, err := p.do()
			if err != nil {
				b.Fatal(err)
			}
			if n, err := countSummaries(body); err != nil || n != listContainers {
				b.Fatalf("%s lists %d containers (%v), want %d", p.name, n, err, listContainers)
			}
		}
	}

	times := make([][]time.Duration, len(paths))
	b.ResetTimer()
	for range b.N {
		// Alternate the paths so drift (GC, CPU frequency) hits both.
		for range listSamples {
			for i, p := range paths {
				start := time.Now()
				if _, err := p.do(); err != nil {
					b.Fatal(err)
				}
				times[i] = append(times[i], time.Since(start))
			}
		}
	}
	b.StopTimer()

	edge, fn := medianOf(times[0]), medianOf(times[1])
	b.ReportMetric(0, "ns/op")
	b.ReportMetric(micros(edge), "µs/list-via-edge")
	b.ReportMetric(micros(fn), "µs/list-direct")
	b.ReportMetric(micros(edge-fn), "µs/edge-added")
	b.Logf("container list (%d containers, median of %d): via edge %.0f µs, direct %.0f µs, edge adds %.0f µs",
		listContainers, len(times[0]), micros(edge), micros(fn), micros(edge-fn))
}

func countSummaries(body []byte) (int, error) {
	var list []container.Summary
	err := json.Unmarshal(body, &list)
	return len(list), err
}

// BenchmarkControlPlaneThroughput runs create+start+wait+remove of
// `true` with a few concurrent SDK clients and reports the rate: how
// many short-lived containers the control plane turns over per second.
func BenchmarkControlPlaneThroughput(b *testing.B) {
	_, cli, _ := benchLocal(b)
	ref := benchImage(b, cli)
	total := throughputTotal * b.N

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var (
		done     atomic.Int64
		firstErr error
		errOnce  sync.Once
		wg       sync.WaitGroup
	)
	jobs := make(chan int)
	b.ResetTimer()
	start := time.Now()
	deadline := start.Add(throughputBudget)
	for range throughputWorkers {
		wg.Go(func() {
			for i := range jobs {
				if err := createStartWaitRemove(ctx, cli, ref, i); err != nil {
					errOnce.Do(func() { firstErr = err; cancel() })
					return
				}
				done.Add(1)
			}
		})
	}
	stoppedEarly := false
feed:
	for i := range total {
		if time.Now().After(deadline) {
			stoppedEarly = true
			break
		}
		select {
		case jobs <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(jobs)
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	if firstErr != nil {
		b.Fatal(firstErr)
	}

	n := done.Load()
	if stoppedEarly {
		b.Logf("stopped early: %d of %d containers in %s (budget %s)", n, total, elapsed.Round(time.Millisecond), throughputBudget)
	}
	left, err := cli.ContainerList(context.Background(), client.ContainerListOptions{All: true})
	if err != nil {
		b.Fatal(err)
	}
	if len(left.Items) != 0 {
		b.Fatalf("%d containers left after remove, want 0", len(left.Items))
	}
	rate := float64(n) / elapsed.Seconds()
	b.ReportMetric(0, "ns/op")
	b.ReportMetric(rate, "containers/s")
	b.Logf("control plane: %d × create+start+wait+remove of `true` with %d workers in %s: %.1f containers/s",
		n, throughputWorkers, elapsed.Round(time.Millisecond), rate)
}

// createStartWaitRemove runs `true` to completion and removes it,
// failing unless it exits 0. The container is named: concurrent creates
// with generated names can both pick the same free name and one then
// fails with a name conflict (core's generateName checks, then reserves;
// it does not retry on conflict), which is not what this measures.
func createStartWaitRemove(ctx context.Context, cli *client.Client, ref string, i int) error {
	ctx, cancel := context.WithTimeout(ctx, perContainerBudget)
	defer cancel()
	created, err := cli.ContainerCreate(ctx, client.ContainerCreateOptions{
		Name:   fmt.Sprintf("throughput-%05d", i),
		Config: &container.Config{Image: ref, Cmd: []string{"true"}},
	})
	if err != nil {
		return fmt.Errorf("create: %w", err)
	}
	// Wait for the next exit before starting, so a fast exit is not missed.
	wait := cli.ContainerWait(ctx, created.ID, client.ContainerWaitOptions{Condition: container.WaitConditionNextExit})
	if _, err := cli.ContainerStart(ctx, created.ID, client.ContainerStartOptions{}); err != nil {
		return fmt.Errorf("start %s: %w", created.ID, err)
	}
	if err := exitedZero(wait); err != nil {
		return fmt.Errorf("container %s: %w", created.ID, err)
	}
	if _, err := cli.ContainerRemove(ctx, created.ID, client.ContainerRemoveOptions{}); err != nil {
		return fmt.Errorf("remove %s: %w", created.ID, err)
	}
	return nil
}

func exitedZero(wait client.ContainerWaitResult) error {
	select {
	case res := <-wait.Result:
		if res.Error != nil && res.Error.Message != "" {
			return fmt.Errorf("wait: %s", res.Error.Message)
		}
		if res.StatusCode != 0 {
			return fmt.Errorf("exit code %d, want 0", res.StatusCode)
		}
		return nil
	case err := <-wait.Error:
		return fmt.Errorf("wait: %w", err)
	}
}

// BenchmarkIdleRSS builds the sockerless binary, starts it, and reads
// its resident memory after it has answered a ping and sat idle: the
// cost of leaving local mode running.
func BenchmarkIdleRSS(b *testing.B) {
	bin := buildSockerless(b)
	var rss []int64
	b.ResetTimer()
	for range b.N {
		kib, err := idleRSS(bin)
		if err != nil {
			b.Fatal(err)
		}
		rss = append(rss, kib)
	}
	b.StopTimer()
	mib := float64(rss[len(rss)-1]) / 1024
	b.ReportMetric(0, "ns/op")
	b.ReportMetric(mib, "MiB-idle-RSS")
	b.Logf("sockerless idle RSS (1 s after the first ping): %.1f MiB", mib)
}

// idleRSS starts bin on a fresh socket and data directory, waits for it
// to answer /_ping, lets it idle for a second, reads VmRSS (KiB) and
// stops it, requiring a clean exit.
func idleRSS(bin string) (kib int64, err error) {
	dir, err := os.MkdirTemp("", "slrss")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(dir)
	sock := filepath.Join(dir, "docker.sock")
	cmd := exec.Command(bin, "--socket", sock, "--data", filepath.Join(dir, "data"), "--runtime", "sandbox")
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = io.Discard, &stderr
	if err := cmd.Start(); err != nil {
		return 0, err
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	defer func() {
		if err != nil {
			_ = cmd.Process.Kill()
			<-exited
			err = fmt.Errorf("%w\nsockerless stderr:\n%s", err, stderr.Bytes())
		}
	}()

	if err := waitPing(sock, 10*time.Second); err != nil {
		return 0, err
	}
	time.Sleep(time.Second)
	kib, err = vmRSS(cmd.Process.Pid)
	if err != nil {
		return 0, err
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		return 0, err
	}
	select {
	case werr := <-exited:
		if werr != nil {
			return 0, fmt.Errorf("sockerless did not exit cleanly on SIGTERM: %w", werr)
		}
	case <-time.After(15 * time.Second):
		return 0, errors.New("sockerless did not exit within 15 s of SIGTERM")
	}
	return kib, nil
}

// BenchmarkRunRmTrueSDK does what `docker run --rm IMG true` does over
// the SDK (create, attach, wait for removal, start, drain the stream)
// against the in-process local mode: the floor under the CLI benchmark
// in e2e/, without the CLI's process start and its extra calls.
func BenchmarkRunRmTrueSDK(b *testing.B) {
	_, cli, _ := benchLocal(b)
	ref := benchImage(b, cli)
	ctx := context.Background()
	if err := runRmTrue(ctx, cli, ref); err != nil { // warm-up
		b.Fatal(err)
	}
	var times []time.Duration
	b.ResetTimer()
	for range b.N {
		for range runRmSamples {
			start := time.Now()
			if err := runRmTrue(ctx, cli, ref); err != nil {
				b.Fatal(err)
			}
			times = append(times, time.Since(start))
		}
	}
	b.StopTimer()
	left, err := cli.ContainerList(ctx, client.ContainerListOptions{All: true})
	if err != nil {
		b.Fatal(err)
	}
	if len(left.Items) != 0 {
		b.Fatalf("AutoRemove left %d containers, want 0", len(left.Items))
	}
	m := medianOf(times)
	b.ReportMetric(0, "ns/op")
	b.ReportMetric(millis(m), "ms/run-median")
	b.Logf("SDK run --rm true in-process (median of %d): %.2f ms", len(times), millis(m))
}

// runRmTrue follows the docker CLI's order for an attached --rm run.
func runRmTrue(ctx context.Context, cli *client.Client, ref string) error {
	ctx, cancel := context.WithTimeout(ctx, perContainerBudget)
	defer cancel()
	created, err := cli.ContainerCreate(ctx, client.ContainerCreateOptions{
		Config:     &container.Config{Image: ref, Cmd: []string{"true"}, AttachStdout: true, AttachStderr: true},
		HostConfig: &container.HostConfig{AutoRemove: true},
	})
	if err != nil {
		return fmt.Errorf("create: %w", err)
	}
	att, err := cli.ContainerAttach(ctx, created.ID, client.ContainerAttachOptions{Stream: true, Stdout: true, Stderr: true})
	if err != nil {
		return fmt.Errorf("attach %s: %w", created.ID, err)
	}
	defer att.Close()
	wait := cli.ContainerWait(ctx, created.ID, client.ContainerWaitOptions{Condition: container.WaitConditionRemoved})
	if _, err := cli.ContainerStart(ctx, created.ID, client.ContainerStartOptions{}); err != nil {
		return fmt.Errorf("start %s: %w", created.ID, err)
	}
	var out bytes.Buffer
	if _, err := stdcopy.StdCopy(&out, &out, att.Reader); err != nil {
		return fmt.Errorf("attach stream of %s: %w", created.ID, err)
	}
	if out.Len() != 0 {
		return fmt.Errorf("`true` in %s wrote %q", created.ID, out.Bytes())
	}
	if err := exitedZero(wait); err != nil {
		return fmt.Errorf("container %s: %w", created.ID, err)
	}
	return nil
}
