package core

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/network"
	"github.com/sockerless/sockerless/functions/state"
)

// containerRecord is the stored container. Wire types are moby's.
type containerRecord struct {
	ID         string
	Name       string // with the leading "/"
	Created    time.Time
	Path       string
	Args       []string
	Config     *container.Config
	HostConfig *container.HostConfig
	Networks   map[string]*network.EndpointSettings
	ImageID    string
	State      container.State
	Mounts     []container.MountPoint
	ExecIDs    []string
	// Starts counts starts; a wait for "next-exit" waits past it.
	Starts int
	// Launched is the start the driver has launched: until it equals
	// Starts, the workload may not exist yet and its absence means
	// nothing (see reconcile).
	Launched     int
	RestartCount int
	// ManuallyStopped: docker stop or kill ended it, so its restart
	// policy does not restart it (dockerd's HasBeenManuallyStopped);
	// a start clears it.
	ManuallyStopped bool
	// Published are the host ports the current start holds.
	Published []PortBinding `json:",omitempty"`
}

var validName = regexp.MustCompile(`^/?[a-zA-Z0-9][a-zA-Z0-9_.-]+$`)

func newID() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// findContainer resolves a full id, a name, or a unique id prefix.
func (c *Core) findContainer(ctx context.Context, ref string) (*containerRecord, int64, error) {
	if ref == "" {
		return nil, 0, notFound("No such container: ")
	}
	rec := new(containerRecord)
	ver, err := c.getJSON(ctx, keyContainer+ref, rec)
	if err == nil {
		return rec, ver, nil
	}
	if !errors.Is(err, state.ErrNotFound) {
		return nil, 0, err
	}
	// By full id the record alone answers: an id is handed out only
	// once its name points at it. A name or a prefix goes through the
	// names, so a create that is not done (or lost) stays invisible.
	if r, err := containerNames.resolve(ctx, c.store, strings.TrimPrefix(ref, "/")); err == nil {
		if err := json.Unmarshal(r.Value, rec); err != nil {
			return nil, 0, fmt.Errorf("corrupt record %s: %w", r.Key, err)
		}
		return rec, r.Version, nil
	} else if !errors.Is(err, state.ErrNotFound) {
		return nil, 0, err
	}
	if isHexPrefix(ref) {
		recs, err := c.containers(ctx, keyContainer+ref)
		if err != nil {
			return nil, 0, err
		}
		switch {
		case len(recs) == 1:
			return c.findContainer(ctx, recs[0].ID)
		case len(recs) > 1:
			return nil, 0, invalid("multiple IDs found with provided prefix: %s", ref)
		}
	}
	return nil, 0, notFound("No such container: %s", ref)
}

// containers lists the containers under prefix whose name points at
// them (see nameIndex).
func (c *Core) containers(ctx context.Context, prefix string) ([]containerRecord, error) {
	return listNamed(ctx, c, containerNames, prefix, func(r *containerRecord) (string, string) { return r.shortName(), r.ID })
}

func isHexPrefix(s string) bool {
	if len(s) == 0 || len(s) > 64 {
		return false
	}
	for _, r := range s {
		if !strings.ContainsRune("0123456789abcdef", r) {
			return false
		}
	}
	return true
}

// updateContainer applies fn to the stored container under optimistic
// concurrency.
func (c *Core) updateContainer(ctx context.Context, id string, fn func(*containerRecord) error) (*containerRecord, error) {
	rec, err := update(ctx, c, keyContainer+id, fn)
	if errors.Is(err, state.ErrNotFound) {
		return nil, notFound("No such container: %s", id)
	}
	return rec, err
}

func (r *containerRecord) running() bool { return r.State.Running }

func (r *containerRecord) shortName() string { return strings.TrimPrefix(r.Name, "/") }

func formatTime(t time.Time) string {
	if t.IsZero() {
		return "0001-01-01T00:00:00Z"
	}
	return t.UTC().Format(time.RFC3339Nano)
}
