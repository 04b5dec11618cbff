package backends

import (
	"context"
	"maps"
	"slices"
	"testing"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/client"
)

type containerConfig = container.Config

// lifecycleOp is one client's docker start, stop, kill or rm of name.
func lifecycleOp(ctx context.Context, c *client.Client, op, name string) error {
	var err error
	switch op {
	case "start":
		_, err = c.ContainerStart(ctx, name, client.ContainerStartOptions{})
	case "stop":
		timeout := 1
		_, err = c.ContainerStop(ctx, name, client.ContainerStopOptions{Timeout: &timeout})
	case "kill":
		_, err = c.ContainerKill(ctx, name, client.ContainerKillOptions{})
	case "rm":
		_, err = c.ContainerRemove(ctx, name, client.ContainerRemoveOptions{})
	}
	return err
}

// expectedRefusal is what dockerd answers a lifecycle call that another
// client's call made moot: the container is gone (404), or not in the
// state the call needs (409: kill of a stopped one, rm of a running one).
func expectedRefusal(err error) bool {
	return cerrdefs.IsNotFound(err) || cerrdefs.IsConflict(err)
}

// settled checks that inspect, ps and wait agree about name once the
// race is over, then removes it and checks that it is gone.
func (f *fleet) settled(t *testing.T, name string) {
	t.Helper()
	ctx := t.Context()
	c := f.clis[0]
	got, err := c.ContainerInspect(ctx, name, client.ContainerInspectOptions{})
	if cerrdefs.IsNotFound(err) {
		if listed := f.listed(t, name); len(listed) != 0 {
			t.Errorf("%s is gone, yet ps -a lists %+v", name, listed)
		}
		return
	}
	if err != nil {
		t.Fatal(err)
	}
	st := got.Container.State
	listed := f.listed(t, name)
	if len(listed) != 1 || listed[0].State != st.Status {
		t.Errorf("inspect says %s is %s, ps -a lists %+v", name, st.Status, listed)
	}
	if !st.Running {
		wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		w := c.ContainerWait(wctx, name, client.ContainerWaitOptions{Condition: container.WaitConditionNotRunning})
		select {
		case r := <-w.Result:
			if int(r.StatusCode) != st.ExitCode {
				t.Errorf("inspect says %s exited %d, wait says %d", name, st.ExitCode, r.StatusCode)
			}
		case err := <-w.Error:
			t.Errorf("wait on %s, which is %s: %v", name, st.Status, err)
		}
	}
	if _, err := c.ContainerRemove(ctx, name, client.ContainerRemoveOptions{Force: true}); err != nil {
		t.Fatalf("rm -f %s after the race: %v", name, err)
	}
	if _, err := c.ContainerInspect(ctx, name, client.ContainerInspectOptions{}); !cerrdefs.IsNotFound(err) {
		t.Errorf("inspect after rm -f %s: %v, want not found", name, err)
	}
}

// listed is what ps -a lists under name.
func (f *fleet) listed(t *testing.T, name string) []container.Summary {
	t.Helper()
	out, err := f.clis[0].ContainerList(t.Context(), client.ContainerListOptions{All: true, Filters: make(client.Filters).Add("name", "^/"+name+"$")})
	if err != nil {
		t.Fatal(err)
	}
	return out.Items
}

// wantNetworks checks that container id is on bridge and nets, and on
// nothing else.
func (f *fleet) wantNetworks(t *testing.T, id string, nets []string) {
	t.Helper()
	got, err := f.clis[0].ContainerInspect(t.Context(), id, client.ContainerInspectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	have := slices.Sorted(maps.Keys(got.Container.NetworkSettings.Networks))
	want := slices.Sorted(slices.Values(append([]string{"bridge"}, nets...)))
	if !slices.Equal(have, want) {
		t.Errorf("%s is on %v, want %v", id, have, want)
	}
}

// subnetsDistinct checks that no two of nets were given one subnet.
func (f *fleet) subnetsDistinct(t *testing.T, nets []string) {
	t.Helper()
	owner := map[string]string{}
	for _, n := range nets {
		got, err := f.clis[0].NetworkInspect(t.Context(), n, client.NetworkInspectOptions{})
		if err != nil {
			t.Fatal(err)
		}
		for _, cfg := range got.Network.IPAM.Config {
			s := cfg.Subnet.String()
			if o, ok := owner[s]; ok {
				t.Errorf("networks %s and %s were both given %s", o, n, s)
			}
			owner[s] = n
		}
	}
}
