package engine

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/client"
)

// A restarted container's engine container starts from the filesystem
// its previous one left (see Start), so the engine's diff covers the
// last run only. The changes of earlier runs are kept in a file and
// merged with it: `docker diff` lists what changed since the image.

func (d *Driver) changesPath(id string) string {
	return filepath.Join(d.cfg.Dir, "changes", id+".json")
}

// carryChanges adds the diff of engine container engineID, about to be
// replaced, to container id's kept changes.
func (d *Driver) carryChanges(ctx context.Context, engineID, id string) error {
	r, err := d.engine.ContainerDiff(ctx, engineID, client.ContainerDiffOptions{})
	if err != nil {
		return err
	}
	kept, err := d.keptChanges(id)
	if err != nil {
		return err
	}
	b, err := json.Marshal(mergeChanges(kept, r.Changes))
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(d.changesPath(id)), 0o700); err != nil {
		return err
	}
	return os.WriteFile(d.changesPath(id), b, 0o600)
}

func (d *Driver) keptChanges(id string) ([]container.FilesystemChange, error) {
	b, err := os.ReadFile(d.changesPath(id))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []container.FilesystemChange
	return out, json.Unmarshal(b, &out)
}

// mergeChanges is the diff of two runs in a row: earlier's changes to
// the image, then later's to what earlier left. A path added and then
// changed is still added; added and then deleted, gone; deleted and
// then added again, changed. A deleted directory takes earlier's
// changes below it with it.
func mergeChanges(earlier, later []container.FilesystemChange) []container.FilesystemChange {
	kinds := map[string]container.ChangeType{}
	for _, c := range earlier {
		kinds[c.Path] = c.Kind
	}
	for _, c := range later {
		if c.Kind == container.ChangeDelete {
			for p := range kinds {
				if strings.HasPrefix(p, c.Path+"/") {
					delete(kinds, p)
				}
			}
		}
		e, ok := kinds[c.Path]
		switch {
		case !ok:
			kinds[c.Path] = c.Kind
		case e == container.ChangeAdd && c.Kind == container.ChangeDelete:
			delete(kinds, c.Path)
		case e == container.ChangeAdd:
		case e == container.ChangeDelete && c.Kind == container.ChangeAdd:
			kinds[c.Path] = container.ChangeModify
		default:
			kinds[c.Path] = c.Kind
		}
	}
	out := make([]container.FilesystemChange, 0, len(kinds))
	for p, k := range kinds {
		out = append(out, container.FilesystemChange{Path: p, Kind: k})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out
}
