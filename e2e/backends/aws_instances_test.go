package backends

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	awsecs "github.com/aws/aws-sdk-go-v2/service/ecs"
	awslambda "github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/moby/moby/client"

	"github.com/sockerless/sockerless/e2e/awsdeploy"
	"github.com/sockerless/sockerless/e2e/cloud"
	"github.com/sockerless/sockerless/e2e/harness"
	"github.com/sockerless/sockerless/functions/backends/ecs"
	"github.com/sockerless/sockerless/functions/core"
	"github.com/sockerless/sockerless/functions/state/dynamo"
)

// Many instances, one table: the ecs backend's control-plane function
// deployed by the Terraform module on the AWS simulator, its reserved
// concurrency set so that several instances serve at once, and many
// Docker SDK clients behind one edge racing on the same names, the same
// container and the same networks. Whatever the interleaving, each race
// has the outcome dockerd gives one client at a time, and the table
// read afterwards holds no half-written record.

const (
	// instances is how many instances of the function serve at once.
	instances = 8
	// racingClients is how many Docker clients race.
	racingClients = 32
)

// fleet is the clients behind one edge in front of the deployment.
type fleet struct {
	d    *awsdeploy.Deployment
	fn   string // the control-plane function
	e    *harness.Engine
	img  string
	clis []*client.Client
}

func newFleet(t testing.TB) *fleet {
	t.Helper()
	d, img, edge := cloud.Start(t, awsdeploy.Cloud{})
	f := &fleet{d: d.(*awsdeploy.Deployment), img: img}
	f.fn = f.d.Outputs.Functions[ecs.Backend]
	f.e = d.StartEdge(t, edge, ecs.Backend, t.TempDir(), "")
	if r := f.e.Docker("pull", f.img); r.Code != 0 {
		t.Fatalf("pull: %s", r.Stderr)
	}
	for range racingClients {
		c, err := client.New(client.WithHost(f.e.Host))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		f.clis = append(f.clis, c)
	}
	t.Cleanup(func() {
		_, err := awslambda.NewFromConfig(f.d.Config).DeleteFunctionConcurrency(context.Background(),
			&awslambda.DeleteFunctionConcurrencyInput{FunctionName: aws.String(f.fn)})
		if err != nil {
			t.Errorf("removing the reserved concurrency: %v", err)
		}
	})
	return f
}

// serveWith makes n instances of the function serve at once (its
// reserved concurrency), and starts them, so that what follows is timed
// warm.
func (f *fleet) serveWith(t testing.TB, n int) {
	t.Helper()
	_, err := awslambda.NewFromConfig(f.d.Config).PutFunctionConcurrency(t.Context(), &awslambda.PutFunctionConcurrencyInput{
		FunctionName: aws.String(f.fn), ReservedConcurrentExecutions: aws.Int32(int32(n)),
	})
	if err != nil {
		t.Fatal(err)
	}
	f.all(t, func(c *client.Client, _ int) error {
		_, err := c.Ping(t.Context(), client.PingOptions{})
		return err
	})
}

// all runs fn on every client at once and returns each one's error.
func (f *fleet) all(t testing.TB, fn func(c *client.Client, i int) error) []error {
	t.Helper()
	errs := make([]error, len(f.clis))
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i, c := range f.clis {
		wg.Go(func() {
			<-start
			errs[i] = fn(c, i)
		})
	}
	close(start)
	wg.Wait()
	return errs
}

// consistent reads the whole table as a fresh instance would and fails
// t for every name, tag or record that breaks the store's rules.
func (f *fleet) consistent(t *testing.T) {
	t.Helper()
	ctx := t.Context()
	s, err := dynamo.New(ctx, dynamodb.NewFromConfig(f.d.Config), f.d.Outputs.TableName)
	if err != nil {
		t.Fatal(err)
	}
	bad, err := core.Inconsistencies(ctx, s, core.Leftovers{})
	if err != nil {
		t.Fatalf("reading the table: %v", err)
	}
	for _, b := range bad {
		t.Errorf("the table after the race: %s", b)
	}
}

// TestManyInstances races the clients on the deployment served by
// several instances.
func TestManyInstances(t *testing.T) {
	if testing.Short() {
		t.Skip("deploys to the AWS simulator: not in -short")
	}
	f := newFleet(t)
	f.serveWith(t, instances)
	ctx := t.Context()

	t.Run("one winner for a container name", func(t *testing.T) {
		for round := range 3 {
			name := fmt.Sprintf("many-same-%d", round)
			ids := make([]string, racingClients)
			errs := f.all(t, func(c *client.Client, i int) error {
				r, err := c.ContainerCreate(ctx, client.ContainerCreateOptions{Name: name, Config: sleeper(f.img)})
				ids[i] = r.ID
				return err
			})
			var winner string
			for i, err := range errs {
				if err == nil {
					if winner != "" {
						t.Fatalf("round %d: two creates of %s won: %s and %s", round, name, winner, ids[i])
					}
					winner = ids[i]
				}
			}
			if winner == "" {
				t.Fatalf("round %d: no create of %s won: %v", round, name, errs[0])
			}
			for _, err := range errs {
				if err != nil {
					wantDaemonError(t, err, conflictMessage(name, winner))
				}
			}
			if _, err := f.clis[0].ContainerRemove(ctx, name, client.ContainerRemoveOptions{}); err != nil {
				t.Fatal(err)
			}
		}
		f.consistent(t)
	})

	t.Run("start, stop, kill and rm of one container", func(t *testing.T) {
		for round := range 2 {
			name := fmt.Sprintf("many-life-%d", round)
			if _, err := f.clis[0].ContainerCreate(ctx, client.ContainerCreateOptions{Name: name, Config: sleeper(f.img)}); err != nil {
				t.Fatal(err)
			}
			ops := []string{"start", "stop", "kill", "rm"}
			errs := f.all(t, func(c *client.Client, i int) error {
				return lifecycleOp(ctx, c, ops[i%len(ops)], name)
			})
			var outcomes []string
			for i, err := range errs {
				if err != nil && !expectedRefusal(err) {
					t.Errorf("round %d: docker %s %s: %v", round, ops[i%len(ops)], name, err)
				}
				outcomes = append(outcomes, fmt.Sprintf("%s: %v", ops[i%len(ops)], err))
			}
			f.settled(t, name)
			// A task of the raced container must not run on after its
			// removal; one that does is stopped so the other checks stay
			// exact.
			if left := leftAfter(t, f.d, time.Minute); len(left) > 0 {
				t.Errorf("round %d left %v running after docker rm -f; its calls and their errors, in client order: %s", round, left, strings.Join(outcomes, "; "))
				stopTasks(t, f.d, left)
			}
		}
		f.consistent(t)
	})

	t.Run("connect and disconnect", func(t *testing.T) {
		// Two clients to a network, all on one container: every call
		// rewrites the same record, and each pair races on one network.
		box, err := f.clis[0].ContainerCreate(ctx, client.ContainerCreateOptions{Name: "many-net-box", Config: sleeper(f.img)})
		if err != nil {
			t.Fatal(err)
		}
		nets := make([]string, racingClients/2)
		for i := range nets {
			nets[i] = fmt.Sprintf("many-net-%d", i)
		}
		netOf := func(i int) string { return nets[i%len(nets)] }
		// Of each network's pair of clients, wins (1 unless want says
		// otherwise) won and the others got want's message.
		type outcome struct {
			msg  string
			wins int
		}
		one := func(msg string) outcome { return outcome{msg, 1} }
		pairs := func(what string, errs []error, want func(n string) outcome) {
			t.Helper()
			won := map[string]int{}
			for i, err := range errs {
				n := netOf(i)
				if err == nil {
					won[n]++
					continue
				}
				wantDaemonError(t, err, want(n).msg)
			}
			for _, n := range nets {
				if w := want(n).wins; won[n] != w {
					t.Errorf("%s %s: %d of its 2 clients won, want %d", what, n, won[n], w)
				}
			}
		}
		pairs("network create", f.all(t, func(c *client.Client, i int) error {
			_, err := c.NetworkCreate(ctx, netOf(i), client.NetworkCreateOptions{})
			return err
		}), func(n string) outcome { return one("network with name " + n + " already exists") })
		f.subnetsDistinct(t, nets)
		connect := func(c *client.Client, i int) error {
			_, err := c.NetworkConnect(ctx, netOf(i), client.NetworkConnectOptions{Container: box.ID})
			return err
		}
		disconnect := func(c *client.Client, i int) error {
			_, err := c.NetworkDisconnect(ctx, netOf(i), client.NetworkDisconnectOptions{Container: box.ID})
			return err
		}
		connected := func(n string) string { return "endpoint with name many-net-box already exists in network " + n }
		pairs("connect", f.all(t, connect), func(n string) outcome { return one(connected(n)) })
		f.wantNetworks(t, box.ID, nets)
		// The even networks' pairs disconnect (one wins) while the odd
		// ones' connect again (refused: connected already).
		var stay []string
		for i, n := range nets {
			if i%2 == 1 {
				stay = append(stay, n)
			}
		}
		pairs("disconnect", f.all(t, func(c *client.Client, i int) error {
			if i%len(nets)%2 == 0 {
				return disconnect(c, i)
			}
			return connect(c, i)
		}), func(n string) outcome {
			if slices.Contains(stay, n) {
				return outcome{connected(n), 0}
			}
			return one("container " + box.ID + " is not connected to network " + n)
		})
		f.wantNetworks(t, box.ID, stay)

		// Every client a container of its own, all on one network.
		ids := make([]string, racingClients)
		for i, err := range f.all(t, func(c *client.Client, i int) error {
			r, err := c.ContainerCreate(ctx, client.ContainerCreateOptions{Name: fmt.Sprintf("many-net-member-%d", i), Config: sleeper(f.img)})
			ids[i] = r.ID
			if err != nil {
				return err
			}
			_, err = c.NetworkConnect(ctx, nets[0], client.NetworkConnectOptions{Container: r.ID})
			return err
		}) {
			if err != nil {
				t.Errorf("member %d: %v", i, err)
			}
		}
		for _, id := range ids {
			f.wantNetworks(t, id, nets[:1])
		}
		f.consistent(t)

		for _, err := range f.all(t, func(c *client.Client, i int) error {
			_, err := c.ContainerRemove(ctx, ids[i], client.ContainerRemoveOptions{})
			return err
		}) {
			if err != nil {
				t.Errorf("rm: %v", err)
			}
		}
		if _, err := f.clis[0].ContainerRemove(ctx, box.ID, client.ContainerRemoveOptions{}); err != nil {
			t.Error(err)
		}
		pairs("network rm", f.all(t, func(c *client.Client, i int) error {
			_, err := c.NetworkRemove(ctx, netOf(i), client.NetworkRemoveOptions{})
			return err
		}), func(n string) outcome { return one("network " + n + " not found") })
		f.consistent(t)
	})

	t.Run("nothing left", func(t *testing.T) {
		r := f.e.Docker("ps", "-aq")
		if strings.TrimSpace(r.Stdout) != "" {
			t.Errorf("containers left: %q", r.Stdout)
		}
		waitNothingRunning(t, f.d)
	})
}

// sleeper is a container that runs until it is stopped.
func sleeper(img string) *containerConfig {
	return &containerConfig{Image: img, Entrypoint: []string{"sleep"}, Cmd: []string{"300"}}
}

func conflictMessage(name, owner string) string {
	return fmt.Sprintf("Conflict. The container name \"/%s\" is already in use by container \"%s\". You have to remove (or rename) that container to be able to reuse that name.", name, owner)
}

func wantDaemonError(t *testing.T, err error, msg string) {
	t.Helper()
	if err == nil || !strings.Contains(err.Error(), msg) {
		t.Errorf("got %v, want dockerd's %q", err, msg)
	}
}

// waitNothingRunning waits for the backend's tasks to be gone, as they
// go once their containers are removed.
func waitNothingRunning(t *testing.T, d *awsdeploy.Deployment) {
	t.Helper()
	if left := leftAfter(t, d, time.Minute); len(left) > 0 {
		t.Errorf("left running after every container was removed: %v", left)
	}
}

// leftAfter is what still runs once wait has passed, or nothing as soon
// as nothing does.
func leftAfter(t *testing.T, d *awsdeploy.Deployment, wait time.Duration) []string {
	t.Helper()
	deadline := time.Now().Add(wait)
	for {
		left := d.LeftRunning(t, ecs.Backend)
		if len(left) == 0 || time.Now().After(deadline) {
			return left
		}
		time.Sleep(time.Second)
	}
}

// stopTasks stops the ECS tasks arns.
func stopTasks(t *testing.T, d *awsdeploy.Deployment, arns []string) {
	t.Helper()
	c := awsecs.NewFromConfig(d.Config)
	for _, arn := range arns {
		if _, err := c.StopTask(t.Context(), &awsecs.StopTaskInput{Cluster: aws.String(d.Outputs.ClusterName), Task: aws.String(arn)}); err != nil {
			t.Errorf("stopping %s: %v", arn, err)
		}
	}
}
