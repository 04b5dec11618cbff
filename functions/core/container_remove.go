package core

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/events"
	"github.com/moby/moby/api/types/mount"
	"github.com/sockerless/sockerless/functions/call"
	"github.com/sockerless/sockerless/functions/state"
)

func (c *Core) containerRemove(ctx context.Context, in call.Call) (call.Reply, error) {
	if truthy(in.Query.Get("link")) {
		if err := c.removeLink(ctx, in.Var("name")); err != nil {
			return call.Reply{}, err
		}
		return noContent(), nil
	}
	rec, err := c.runningContainer(ctx, in.Var("name"))
	if err != nil {
		return call.Reply{}, err
	}
	force := truthy(in.Query.Get("force"))
	if rec.running() && !force {
		return call.Reply{}, conflict("cannot remove container \"%s\": container is running: stop the container before removing or force remove", rec.Name)
	}
	if rec.State.Restarting && !force {
		return call.Reply{}, conflict("cannot remove container \"%s\": container is restarting: stop the container before removing or force remove", rec.Name)
	}
	if err := c.removeContainer(ctx, rec, truthy(in.Query.Get("v")), force); err != nil {
		return call.Reply{}, err
	}
	return noContent(), nil
}

// removeContainer stops (if forced), frees and forgets a container.
func (c *Core) removeContainer(ctx context.Context, rec *containerRecord, volumes, force bool) error {
	if rec.running() {
		if !force {
			return conflict("cannot remove container \"%s\": container is running", rec.Name)
		}
		if err := c.stoppedByUser(ctx, rec.ID); err != nil {
			return err
		}
		if p, ok := c.cfg.Compute.(Pauser); ok && rec.State.Paused {
			_ = p.Unpause(ctx, rec.ID) // a frozen workload ignores its stop
		}
		if err := c.stopByDriver(ctx, rec, 137); err != nil {
			return errorf(http.StatusInternalServerError, "stop container %s: %v", rec.ID[:12], err)
		}
		fresh, _, err := c.findContainer(ctx, rec.ID)
		if err != nil {
			return nil // --rm already removed it
		}
		rec = fresh
	}
	if err := c.compute.Remove(ctx, rec.ID); err != nil {
		return errorf(http.StatusInternalServerError, "remove container %s: %v", rec.ID[:12], err)
	}
	_, _ = c.putJSON(ctx, keyContainerGone+rec.ID, rec.State.ExitCode, 0, goneTTL)
	// What hangs off the record goes before it: a remove that stops
	// half-way leaves the container, which the next rm removes, rather
	// than addresses and execs nothing points at any more.
	c.releaseAddresses(ctx, rec)
	c.deleteExecs(ctx, rec)
	if !c.deleteContainerRecords(ctx, rec) {
		return nil // someone else removed it first
	}
	if volumes {
		for _, m := range rec.Mounts {
			if m.Type == mount.TypeVolume && m.Name != "" && isAnonymous(m.Name) {
				_ = c.removeVolume(ctx, m.Name, false)
			}
		}
	}
	c.emitContainer(ctx, rec, events.ActionDestroy, nil)
	return nil
}

// deleteContainerRecords drops the record and its name. It
// reports whether this caller was the one that removed it.
func (c *Core) deleteContainerRecords(ctx context.Context, rec *containerRecord) bool {
	removed := false
	for range maxRetries {
		cur, err := c.store.Get(ctx, keyContainer+rec.ID)
		if errors.Is(err, state.ErrNotFound) {
			break
		}
		if err != nil {
			continue
		}
		if err := c.store.Delete(ctx, keyContainer+rec.ID, cur.Version); err == nil {
			removed = true
			break
		}
	}
	// The record, then its name (see nameIndex); a name left behind is
	// stale and its next reader removes it.
	_ = containerNames.release(ctx, c.store, rec.shortName(), rec.ID)
	return removed
}

// deleteExecs deletes the container's execs.
func (c *Core) deleteExecs(ctx context.Context, rec *containerRecord) {
	for _, id := range rec.ExecIDs {
		if r, err := c.store.Get(ctx, keyExec+id); err == nil {
			_ = c.store.Delete(ctx, keyExec+id, r.Version)
		}
	}
}

func (c *Core) containerRename(ctx context.Context, in call.Call) (call.Reply, error) {
	newName := strings.TrimPrefix(in.Query.Get("name"), "/")
	if !validName.MatchString(newName) {
		return call.Reply{}, invalid("Invalid container name (%s), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed", newName)
	}
	rec, _, err := c.findContainer(ctx, in.Var("name"))
	if err != nil {
		return call.Reply{}, err
	}
	oldName := rec.shortName()
	if oldName == newName {
		return call.Reply{}, invalid("Renaming a container with the same name as its current name")
	}
	// The new name, the record, the old name: whatever step a rename
	// stops after, both names that point at the container resolve to it,
	// and the record names one of them.
	if owner, err := containerNames.claim(ctx, c.store, newName, rec.ID); err != nil {
		if errors.Is(err, state.ErrConflict) {
			return call.Reply{}, nameInUse(newName, owner)
		}
		return call.Reply{}, err
	}
	id := rec.ID
	rec, err = c.updateContainer(ctx, id, func(r *containerRecord) error {
		oldName = r.shortName() // a concurrent rename may have moved it
		r.Name = "/" + newName
		return nil
	})
	if err != nil {
		_ = containerNames.release(ctx, c.store, newName, id)
		return call.Reply{}, err
	}
	if oldName != newName {
		_ = containerNames.release(ctx, c.store, oldName, id)
	}
	c.emitContainer(ctx, rec, events.ActionRename, map[string]string{"oldName": "/" + oldName})
	return noContent(), nil
}

func (c *Core) containerPrune(ctx context.Context, in call.Call) (call.Reply, error) {
	f, err := parseFilters(in.Query.Get("filters"), pruneFilterKeys)
	if err != nil {
		return call.Reply{}, err
	}
	until, err := parseEventTime(first(f["until"]), c.now())
	if err != nil {
		return call.Reply{}, err
	}
	recs, err := c.containers(ctx, keyContainer)
	if err != nil {
		return call.Reply{}, err
	}
	report := container.PruneReport{ContainersDeleted: []string{}}
	for i := range recs {
		rec, err := c.reconcile(ctx, &recs[i])
		if err != nil || rec.running() || !f.labels("label", rec.Config.Labels) {
			continue
		}
		if !until.IsZero() && rec.Created.After(until) {
			continue
		}
		size := c.sizeRw(ctx, rec.ID) // measured while its files are there
		if err := c.removeContainer(ctx, rec, false, false); err == nil {
			report.ContainersDeleted = append(report.ContainersDeleted, rec.ID)
			report.SpaceReclaimed += uint64(size)
		}
	}
	return jsonReply(http.StatusOK, report), nil
}

func truthy(s string) bool { return s == "1" || strings.EqualFold(s, "true") }

func first(s []string) string {
	if len(s) == 0 {
		return ""
	}
	return s[0]
}

func isAnonymous(name string) bool { return len(name) == 64 && isHexPrefix(name) }
