package core_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/moby/moby/api/types/common"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/image"
	"github.com/moby/moby/api/types/network"
	"github.com/moby/moby/api/types/volume"
	"github.com/sockerless/sockerless/functions/call"
	"github.com/sockerless/sockerless/functions/core"
	"github.com/sockerless/sockerless/functions/state"
)

// failWritesAfterStore is a store seen by a function instance that
// crashed after its first n writes: every later Put and Delete fails;
// reads still work. No real store stops between two writes on cue.
type failWritesAfterStore struct {
	state.Store
	n      int64
	writes atomic.Int64
}

var errCrashed = errors.New("injected crash: the instance stopped before this write")

func (s *failWritesAfterStore) Put(ctx context.Context, key string, value []byte, expect int64, ttl time.Duration) (int64, error) {
	if s.writes.Add(1) > s.n {
		return 0, errCrashed
	}
	return s.Store.Put(ctx, key, value, expect, ttl)
}

func (s *failWritesAfterStore) Delete(ctx context.Context, key string, expect int64) error {
	if s.writes.Add(1) > s.n {
		return errCrashed
	}
	return s.Store.Delete(ctx, key, expect)
}

// Close leaves the store open: it is the harness's.
func (s *failWritesAfterStore) Close() error { return nil }

// crashCase is one call that writes several records. setup prepares
// what it needs under names unique to k and returns the call; after
// checks, through a healthy instance, that the next calls repair the
// half-done state or report it the way Docker would.
type crashCase struct {
	name string
	// fresh: each crash point needs a new, empty store.
	fresh bool
	setup func(t *testing.T, h *harness, img string, k int) req
	after func(t *testing.T, h *harness, img string, k int)
}

func crashCases() []crashCase {
	netID := func(n string) map[string]string { return map[string]string{"id": n} }
	return []crashCase{
		{
			name: "container create",
			setup: func(t *testing.T, h *harness, img string, k int) req {
				return createReq(fmt.Sprint("c", k), img)
			},
			after: func(t *testing.T, h *harness, img string, k int) {
				n := fmt.Sprint("c", k)
				rep := h.do(t, createReq(n, img))
				if rep.Status == http.StatusConflict {
					// The crashed create finished: the container is whole.
					owner := h.inspect(t, n).ID
					wantError(t, rep, http.StatusConflict, nameConflict(n, owner))
				} else if rep.Status != http.StatusCreated {
					t.Fatalf("create again: %d %s", rep.Status, rep.Body)
				}
				listedOnce(t, h, n)
				containersAgree(t, h)
			},
		},
		{
			name: "container create with a generated name",
			setup: func(t *testing.T, h *harness, img string, k int) req {
				return createReq("", img)
			},
			after: func(t *testing.T, h *harness, img string, k int) {
				h.create(t, "", img, nil)
				containersAgree(t, h)
			},
		},
		{
			name: "container remove",
			setup: func(t *testing.T, h *harness, img string, k int) req {
				h.create(t, fmt.Sprint("rm", k), img, nil)
				return req{op: call.OpContainerRemove, vars: name(fmt.Sprint("rm", k))}
			},
			after: func(t *testing.T, h *harness, img string, k int) {
				n := fmt.Sprint("rm", k)
				if rep := h.do(t, req{op: call.OpContainerRemove, vars: name(n)}); rep.Status != http.StatusNoContent {
					wantError(t, rep, http.StatusNotFound, "No such container: "+n)
				}
				h.create(t, n, img, nil)
				listedOnce(t, h, n)
			},
		},
		{
			name: "container rm -f of a running container with an exec",
			setup: func(t *testing.T, h *harness, img string, k int) req {
				id := h.create(t, fmt.Sprint("rmx", k), img, nil)
				h.ok(t, req{op: call.OpContainerStart, vars: name(id)}, http.StatusNoContent, nil)
				h.ok(t, req{op: call.OpExecCreate, vars: name(id), body: container.ExecCreateRequest{Cmd: []string{"true"}}}, http.StatusCreated, nil)
				return req{op: call.OpContainerRemove, vars: name(fmt.Sprint("rmx", k)), query: url.Values{"force": {"1"}}}
			},
			after: func(t *testing.T, h *harness, img string, k int) {
				n := fmt.Sprint("rmx", k)
				if rep := h.do(t, req{op: call.OpContainerRemove, vars: name(n), query: url.Values{"force": {"1"}}}); rep.Status != http.StatusNoContent {
					wantError(t, rep, http.StatusNotFound, "No such container: "+n)
				}
				// Every container of the case is removed: nothing that
				// only a container holds is left in the store.
				for _, p := range []string{"exec/", "network-ip/"} {
					recs, _, err := h.cfg.Store.List(t.Context(), p, "", 0)
					if err != nil {
						t.Fatal(err)
					}
					for _, r := range recs {
						t.Errorf("left behind by a crashed rm -f and the rm -f after it: %s", r.Key)
					}
				}
			},
		},
		{
			name: "container rename",
			setup: func(t *testing.T, h *harness, img string, k int) req {
				h.create(t, fmt.Sprint("old", k), img, nil)
				return req{op: call.OpContainerRename, vars: name(fmt.Sprint("old", k)), query: url.Values{"name": {fmt.Sprint("new", k)}}}
			},
			after: func(t *testing.T, h *harness, img string, k int) {
				// Whatever step it stopped after, both names find the one
				// container, and the list shows it once, under one of them.
				old, renamed := fmt.Sprint("old", k), fmt.Sprint("new", k)
				var ids []string
				for _, n := range []string{old, renamed} {
					if rep := h.do(t, req{op: call.OpContainerInspect, vars: name(n)}); rep.Status == http.StatusOK {
						var c container.InspectResponse
						mustJSON(t, rep.Body, &c)
						ids = append(ids, c.ID)
					}
				}
				if len(ids) == 0 || (len(ids) == 2 && ids[0] != ids[1]) {
					t.Fatalf("old and new names find %v", ids)
				}
				var list []container.Summary
				h.ok(t, req{op: call.OpContainerList, query: url.Values{"all": {"1"}}}, http.StatusOK, &list)
				found := 0
				for _, c := range list {
					if c.ID == ids[0] {
						found++
					}
				}
				if found != 1 {
					t.Errorf("the container is listed %d times", found)
				}
			},
		},
		{
			name: "network create",
			setup: func(t *testing.T, h *harness, img string, k int) req {
				return req{op: call.OpNetworkCreate, body: network.CreateRequest{Name: fmt.Sprint("n", k)}}
			},
			after: func(t *testing.T, h *harness, img string, k int) {
				n := fmt.Sprint("n", k)
				rep := h.do(t, req{op: call.OpNetworkCreate, body: network.CreateRequest{Name: n}})
				if rep.Status != http.StatusCreated {
					wantError(t, rep, http.StatusConflict, "network with name "+n+" already exists")
				}
				h.ok(t, req{op: call.OpNetworkInspect, vars: netID(n)}, http.StatusOK, nil)
				var list []network.Summary
				h.ok(t, req{op: call.OpNetworkList}, http.StatusOK, &list)
				found := 0
				for _, s := range list {
					if s.Name == n {
						found++
					}
				}
				if found != 1 {
					t.Errorf("network %s listed %d times", n, found)
				}
			},
		},
		{
			name: "network remove",
			setup: func(t *testing.T, h *harness, img string, k int) req {
				h.ok(t, req{op: call.OpNetworkCreate, body: network.CreateRequest{Name: fmt.Sprint("nr", k)}}, http.StatusCreated, nil)
				return req{op: call.OpNetworkRemove, vars: netID(fmt.Sprint("nr", k))}
			},
			after: func(t *testing.T, h *harness, img string, k int) {
				n := fmt.Sprint("nr", k)
				if rep := h.do(t, req{op: call.OpNetworkRemove, vars: netID(n)}); rep.Status != http.StatusNoContent {
					wantError(t, rep, http.StatusNotFound, "network "+n+" not found")
				}
				wantError(t, h.do(t, req{op: call.OpNetworkInspect, vars: netID(n)}), http.StatusNotFound, "network "+n+" not found")
				h.ok(t, req{op: call.OpNetworkCreate, body: network.CreateRequest{Name: n}}, http.StatusCreated, nil)
			},
		},
		{
			name:  "predefined networks on first use",
			fresh: true,
			setup: func(t *testing.T, h *harness, img string, k int) req {
				return req{op: call.OpNetworkList}
			},
			after: func(t *testing.T, h *harness, img string, k int) {
				for _, n := range []string{"bridge", "host", "none"} {
					h.ok(t, req{op: call.OpNetworkInspect, vars: netID(n)}, http.StatusOK, nil)
				}
			},
		},
		{
			name: "tag",
			setup: func(t *testing.T, h *harness, img string, k int) req {
				return req{op: call.OpImageTag, vars: name(img), query: url.Values{"repo": {"crash"}, "tag": {fmt.Sprint("t", k)}}}
			},
			after: func(t *testing.T, h *harness, img string, k int) {
				tag := fmt.Sprintf("crash:t%d", k)
				var got image.InspectResponse
				rep := h.do(t, req{op: call.OpImageInspect, vars: name(tag)})
				if rep.Status == http.StatusOK {
					mustJSON(t, rep.Body, &got)
					if got.ID != img || !contains(got.RepoTags, tag) {
						t.Errorf("%s finds %s with tags %v", tag, got.ID, got.RepoTags)
					}
				} else {
					wantError(t, rep, http.StatusNotFound, "No such image: "+tag)
				}
				imagesAgree(t, h)
			},
		},
		{
			name: "image remove",
			setup: func(t *testing.T, h *harness, img string, k int) req {
				h.importImage(t, fmt.Sprintf("gone:k%d", k), fmt.Sprintf("ENV K=%d", k))
				return req{op: call.OpImageRemove, vars: name(fmt.Sprintf("gone:k%d", k))}
			},
			after: func(t *testing.T, h *harness, img string, k int) {
				ref := fmt.Sprintf("gone:k%d", k)
				if rep := h.do(t, req{op: call.OpImageRemove, vars: name(ref)}); rep.Status != http.StatusOK {
					wantError(t, rep, http.StatusNotFound, "No such image: "+ref)
				}
				wantError(t, h.do(t, req{op: call.OpImageInspect, vars: name(ref)}), http.StatusNotFound, "No such image: "+ref)
				imagesAgree(t, h)
			},
		},
		{
			name: "volume remove",
			setup: func(t *testing.T, h *harness, img string, k int) req {
				h.ok(t, req{op: call.OpVolumeCreate, body: volume.CreateRequest{Name: fmt.Sprint("v", k)}}, http.StatusCreated, nil)
				return req{op: call.OpVolumeRemove, vars: name(fmt.Sprint("v", k))}
			},
			after: func(t *testing.T, h *harness, img string, k int) {
				n := fmt.Sprint("v", k)
				if rep := h.do(t, req{op: call.OpVolumeRemove, vars: name(n)}); rep.Status != http.StatusNoContent {
					wantError(t, rep, http.StatusNotFound, "get "+n+": no such volume")
				}
				h.ok(t, req{op: call.OpVolumeCreate, body: volume.CreateRequest{Name: n}}, http.StatusCreated, nil)
			},
		},
	}
}

// TestCrashBetweenWrites stops each call after each of its writes but
// the last, then checks that the state left is consistent but for
// orphan records (which no reader shows), and that the next calls
// repair or report it.
func TestCrashBetweenWrites(t *testing.T) {
	for _, kind := range storeKinds(t) {
		t.Run(kind.name, func(t *testing.T) {
			for _, tc := range crashCases() {
				t.Run(tc.name, func(t *testing.T) {
					h := newHarnessOn(t, kind.open(t))
					img := h.importImage(t, "")
					counter := &failWritesAfterStore{Store: h.cfg.Store, n: math.MaxInt64}
					if rep := h.instance(counter).do(t, tc.setup(t, h, img, -1)); rep.Status >= 300 {
						t.Fatalf("%s without a crash: %d %s", tc.name, rep.Status, rep.Body)
					}
					writes := counter.writes.Load()
					if writes < 2 {
						t.Fatalf("%s made %d writes: nothing to crash between", tc.name, writes)
					}
					for k := range int(writes - 1) {
						if tc.fresh {
							h = newHarnessOn(t, kind.open(t))
							img = h.importImage(t, "")
						}
						r := tc.setup(t, h, img, k)
						crashed := &failWritesAfterStore{Store: h.cfg.Store, n: int64(k + 1)}
						rep := h.instance(crashed).do(t, r)
						if rep.Status >= 500 && !strings.Contains(errorMessage(rep), errCrashed.Error()) {
							t.Errorf("crash after write %d: %d %s", k+1, rep.Status, rep.Body)
						}
						h.consistent(t, core.Leftovers{Orphans: true, Stale: true})
						tc.after(t, h, img, k)
						// The next calls removed what was stale on their way.
						h.consistent(t, core.Leftovers{Orphans: true})
					}
				})
			}
		})
	}
}

// listedOnce checks that the list shows one container named n.
func listedOnce(t *testing.T, h *harness, n string) {
	t.Helper()
	var list []container.Summary
	h.ok(t, req{op: call.OpContainerList, query: url.Values{"all": {"1"}}}, http.StatusOK, &list)
	found := 0
	for _, c := range list {
		for _, cn := range c.Names {
			if cn == "/"+n {
				found++
			}
		}
	}
	if found != 1 {
		t.Errorf("%d containers listed as /%s, want 1", found, n)
	}
}

// containersAgree checks that every listed container is found by its
// name, and no name is listed twice.
func containersAgree(t *testing.T, h *harness) {
	t.Helper()
	var list []container.Summary
	h.ok(t, req{op: call.OpContainerList, query: url.Values{"all": {"1"}}}, http.StatusOK, &list)
	seen := map[string]bool{}
	for _, c := range list {
		n := c.Names[0]
		if seen[n] {
			t.Errorf("%s listed twice", n)
		}
		seen[n] = true
		if got := h.inspect(t, n); got.ID != c.ID {
			t.Errorf("list shows %s as %s, inspect finds %s", c.ID, n, got.ID)
		}
	}
}

func errorMessage(rep call.Reply) string {
	var e common.ErrorResponse
	_ = json.Unmarshal(rep.Body, &e)
	return e.Message
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
