package core_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/moby/moby/api/types/image"
	"github.com/moby/moby/api/types/network"
	"github.com/moby/moby/api/types/volume"
	"github.com/sockerless/sockerless/functions/call"
	"github.com/sockerless/sockerless/functions/core"
	"github.com/sockerless/sockerless/functions/state"
	"github.com/sockerless/sockerless/functions/state/bolt"
	"github.com/sockerless/sockerless/functions/state/dynamo"
	"github.com/sockerless/sockerless/functions/testing/awssimtest"
)

// The races suite: several function instances (one Core each) over one
// store, as a cloud deployment runs them, doing at once what the same
// client would do one at a time. Run it with -race.

// racers is how many instances act at once in a round.
const racers = 8

// predefined are the networks every engine has.
var predefined = []string{"bridge", "host", "none"}

// rounds is how many times each race is run, each on fresh names.
const rounds = 3

// storeKind opens fresh, empty stores of one kind.
type storeKind struct {
	name string
	open func(t *testing.T) state.Store
}

// storeKinds are the stores the suites run on: a bbolt file, and a
// DynamoDB table in the workspace's AWS simulator (built from source).
func storeKinds(t *testing.T) []storeKind {
	kinds := []storeKind{{"bolt", func(t *testing.T) state.Store {
		s, err := bolt.Open(filepath.Join(t.TempDir(), "state.db"))
		if err != nil {
			t.Fatal(err)
		}
		return s
	}}}
	if testing.Short() {
		return kinds
	}
	client := dynamodb.NewFromConfig(awssimtest.Config(t, awssimtest.Simulator(t, t.TempDir())))
	var tables atomic.Int64
	return append(kinds, storeKind{"dynamo", func(t *testing.T) state.Store {
		name := fmt.Sprintf("races-%d", tables.Add(1))
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		if err := dynamo.CreateTable(ctx, client, name); err != nil {
			t.Fatal(err)
		}
		s, err := dynamo.New(ctx, client, name)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}})
}

// all runs fn(i) for i in [0, racers) at once, each on its own instance,
// and returns the replies in order.
func (h *harness) all(t *testing.T, fn func(h *harness, i int) req) []call.Reply {
	t.Helper()
	out := make([]call.Reply, racers)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range racers {
		inst := h.instance(h.cfg.Store)
		wg.Go(func() {
			r := fn(inst, i)
			<-start
			out[i] = inst.do(t, r)
		})
	}
	close(start)
	wg.Wait()
	return out
}

// consistent fails the test if the store breaks the rules of the name
// and tag entries, but for the leftovers allowed.
func (h *harness) consistent(t *testing.T, allowed core.Leftovers) {
	t.Helper()
	bad, err := core.Inconsistencies(t.Context(), h.cfg.Store, allowed)
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range bad {
		t.Error(b)
	}
}

// statuses counts replies by status.
func statuses(reps []call.Reply) map[int]int {
	n := map[int]int{}
	for _, r := range reps {
		n[r.Status]++
	}
	return n
}

func TestRaces(t *testing.T) {
	for _, kind := range storeKinds(t) {
		t.Run(kind.name, func(t *testing.T) {
			t.Run("first-use starts find the predefined networks", func(t *testing.T) {
				for range rounds {
					h := newHarnessOn(t, kind.open(t))
					img := h.importImage(t, "")
					ids := make([]string, racers)
					for i := range ids {
						ids[i] = h.create(t, "", img, nil)
					}
					reps := h.all(t, func(_ *harness, i int) req {
						return req{op: call.OpContainerStart, vars: name(ids[i])}
					})
					for i, r := range reps {
						if r.Status != http.StatusNoContent {
							t.Errorf("start %d: %d %s", i, r.Status, r.Body)
						}
					}
					h.ok(t, req{op: call.OpNetworkInspect, vars: map[string]string{"id": "bridge"}}, http.StatusOK, nil)
					h.consistent(t, core.Leftovers{})
				}
			})

			t.Run("first-use lookups find the predefined networks", func(t *testing.T) {
				// The cheapest first use, many times over: the window the
				// starts above hit now and then.
				for range 5 * rounds {
					h := newHarnessOn(t, kind.open(t))
					reps := h.all(t, func(_ *harness, i int) req {
						return req{op: call.OpNetworkInspect, vars: map[string]string{"id": predefined[i%len(predefined)]}}
					})
					for i, r := range reps {
						if r.Status != http.StatusOK {
							t.Errorf("inspect %s: %d %s", predefined[i%len(predefined)], r.Status, r.Body)
						}
					}
					h.consistent(t, core.Leftovers{})
				}
			})

			h := newHarnessOn(t, kind.open(t))
			img := h.importImage(t, "")

			t.Run("one winner for a container name", func(t *testing.T) {
				for r := range rounds {
					n := fmt.Sprintf("same-%d", r)
					reps := h.all(t, func(h *harness, _ int) req {
						return createReq(n, img)
					})
					if got := statuses(reps); got[http.StatusCreated] != 1 || got[http.StatusConflict] != racers-1 {
						t.Fatalf("statuses %v, want one 201 and %d 409", got, racers-1)
					}
					winner := h.inspect(t, n).ID
					for _, rep := range reps {
						if rep.Status == http.StatusConflict {
							wantError(t, rep, http.StatusConflict, nameConflict(n, winner))
						}
					}
					h.consistent(t, core.Leftovers{})
					h.all(t, func(h *harness, _ int) req {
						return req{op: call.OpContainerRemove, vars: name(n), query: url.Values{"force": {"1"}}}
					})
					h.consistent(t, core.Leftovers{})
					h.create(t, n, img, nil) // the name is free again
				}
			})

			t.Run("tag, untag and rmi", func(t *testing.T) {
				for r := range rounds {
					id := h.importImage(t, fmt.Sprintf("round%d:base", r), fmt.Sprintf("ENV ROUND=%d", r))
					reps := h.all(t, func(h *harness, i int) req {
						switch i % 3 {
						case 0:
							return req{op: call.OpImageTag, vars: name(id), query: url.Values{"repo": {fmt.Sprintf("round%d", r)}, "tag": {fmt.Sprint("t", i)}}}
						case 1:
							return req{op: call.OpImageRemove, vars: name(fmt.Sprintf("round%d:base", r))}
						}
						return req{op: call.OpImageRemove, vars: name(id), query: url.Values{"force": {"1"}}}
					})
					for i, rep := range reps {
						if rep.Status >= 500 {
							t.Errorf("racer %d: %d %s", i, rep.Status, rep.Body)
						}
					}
					h.consistent(t, core.Leftovers{})
					imagesAgree(t, h)
				}
			})

			t.Run("network create, connect and rm", func(t *testing.T) {
				users := make([]string, racers)
				for i := range users {
					users[i] = h.create(t, "", img, nil)
				}
				for r := range rounds {
					n := fmt.Sprintf("net-%d", r)
					reps := h.all(t, func(h *harness, _ int) req {
						return req{op: call.OpNetworkCreate, body: network.CreateRequest{Name: n}}
					})
					if got := statuses(reps); got[http.StatusCreated] != 1 || got[http.StatusConflict] != racers-1 {
						t.Fatalf("statuses %v, want one 201 and %d 409", got, racers-1)
					}
					for _, rep := range reps {
						if rep.Status == http.StatusConflict {
							wantError(t, rep, http.StatusConflict, "network with name "+n+" already exists")
						}
					}
					h.consistent(t, core.Leftovers{})
					reps = h.all(t, func(h *harness, i int) req {
						if i%2 == 0 {
							return req{op: call.OpNetworkConnect, vars: map[string]string{"id": n}, body: network.ConnectRequest{Container: users[i]}}
						}
						return req{op: call.OpNetworkRemove, vars: map[string]string{"id": n}}
					})
					removed := 0
					for i, rep := range reps {
						switch {
						case i%2 == 1 && rep.Status == http.StatusNoContent:
							removed++
						case i%2 == 1:
							wantError(t, rep, http.StatusNotFound, "network "+n+" not found")
						case rep.Status != http.StatusOK:
							wantError(t, rep, http.StatusNotFound, "network "+n+" not found")
						}
					}
					if removed != 1 {
						t.Errorf("%d removes succeeded, want 1", removed)
					}
					wantError(t, h.do(t, req{op: call.OpNetworkInspect, vars: map[string]string{"id": n}}), http.StatusNotFound, "network "+n+" not found")
					h.consistent(t, core.Leftovers{})
				}
			})

			t.Run("volume create and rm", func(t *testing.T) {
				for r := range rounds {
					n := fmt.Sprintf("vol-%d", r)
					reps := h.all(t, func(h *harness, _ int) req {
						return req{op: call.OpVolumeCreate, body: volume.CreateRequest{Name: n}}
					})
					var first volume.Volume
					for i, rep := range reps {
						var v volume.Volume
						if rep.Status != http.StatusCreated {
							t.Fatalf("create %d: %d %s", i, rep.Status, rep.Body)
						}
						mustJSON(t, rep.Body, &v)
						if i == 0 {
							first = v
						} else if v.Name != first.Name || v.Mountpoint != first.Mountpoint || v.CreatedAt != first.CreatedAt {
							t.Errorf("racer %d got %+v, racer 0 %+v: one volume", i, v, first)
						}
					}
					reps = h.all(t, func(h *harness, _ int) req {
						return req{op: call.OpVolumeRemove, vars: name(n)}
					})
					if got := statuses(reps); got[http.StatusNoContent] != 1 || got[http.StatusNotFound] != racers-1 {
						t.Errorf("remove statuses %v, want one 204 and %d 404", got, racers-1)
					}
					wantError(t, h.do(t, req{op: call.OpVolumeInspect, vars: name(n)}), http.StatusNotFound, "get "+n+": no such volume")
				}
			})
		})
	}
}

func createReq(n, img string) req {
	r := req{op: call.OpContainerCreate, body: map[string]any{"Image": img, "Cmd": []string{"/bin/sh"}}}
	if n != "" {
		r.query = url.Values{"name": {n}}
	}
	return r
}

// nameConflict is dockerd's message for a container name in use.
func nameConflict(n, owner string) string {
	return fmt.Sprintf("Conflict. The container name \"/%s\" is already in use by container \"%s\". You have to remove (or rename) that container to be able to reuse that name.", n, owner)
}

// imagesAgree checks that every tag the image list shows finds that
// image, and nothing else claims it.
func imagesAgree(t *testing.T, h *harness) {
	t.Helper()
	var list []image.Summary
	h.ok(t, req{op: call.OpImageList}, http.StatusOK, &list)
	seen := map[string]string{}
	for _, s := range list {
		for _, tag := range s.RepoTags {
			if other, ok := seen[tag]; ok {
				t.Errorf("tag %s on %s and %s", tag, other, s.ID)
			}
			seen[tag] = s.ID
			var got image.InspectResponse
			h.ok(t, req{op: call.OpImageInspect, vars: name(tag)}, http.StatusOK, &got)
			if got.ID != s.ID {
				t.Errorf("list shows %s on %s, inspect finds %s", tag, s.ID, got.ID)
			}
		}
	}
}
