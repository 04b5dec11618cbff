package core

import (
	"context"
	"path"
	"strings"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/mount"
)

// resolveMounts turns Binds, Mounts and anonymous volumes into mount
// points with host sources the driver can use.
func (c *Core) resolveMounts(ctx context.Context, rec *containerRecord) ([]container.MountPoint, error) {
	var out []container.MountPoint
	seen := map[string]bool{}
	add := func(m container.MountPoint) error {
		if !path.IsAbs(m.Destination) {
			return invalid("invalid mount config: mount path must be absolute: %s", m.Destination)
		}
		m.Destination = path.Clean(m.Destination)
		if seen[m.Destination] {
			return invalid("Duplicate mount point: %s", m.Destination)
		}
		seen[m.Destination] = true
		out = append(out, m)
		return nil
	}
	// A volume's mode is the one its bind spec gave, else dockerd's
	// default ("z", or "ro" read-only).
	volumeMount := func(name, dst string, rw bool, mode string) error {
		v, err := c.ensureVolume(ctx, name, nil, nil)
		if err != nil {
			return err
		}
		switch {
		case mode != "":
		case rw:
			mode = "z"
		default:
			mode = "ro"
		}
		return add(container.MountPoint{Type: mount.TypeVolume, Name: name, Source: v.Mountpoint,
			Destination: dst, Driver: "local", Mode: mode, RW: rw})
	}
	for _, b := range rec.HostConfig.Binds {
		parts := strings.Split(b, ":")
		// As dockerd parses a bind: DST alone, or DST:MODE, is an
		// anonymous volume (act passes a job container's bare paths so).
		if len(parts) == 1 || len(parts) == 2 && isBindMode(parts[1]) {
			parts = append([]string{newID()}, parts...)
		}
		if len(parts) < 2 || len(parts) > 3 || parts[0] == "" || parts[1] == "" {
			return nil, invalid("invalid volume specification: '%s'", b)
		}
		src, dst := parts[0], parts[1]
		rw, mode := true, ""
		if len(parts) == 3 {
			mode = parts[2]
			for _, o := range strings.Split(mode, ",") {
				if o == "ro" {
					rw = false
				}
			}
		}
		if path.IsAbs(src) {
			if err := add(container.MountPoint{Type: mount.TypeBind, Source: path.Clean(src),
				Destination: dst, Mode: mode, RW: rw, Propagation: mount.PropagationRPrivate}); err != nil {
				return nil, err
			}
			continue
		}
		if err := volumeMount(src, dst, rw, mode); err != nil {
			return nil, err
		}
	}
	for _, m := range rec.HostConfig.Mounts {
		switch m.Type {
		case mount.TypeBind:
			if !path.IsAbs(m.Source) {
				return nil, invalid("invalid mount config for type \"bind\": invalid mount path: '%s' mount path must be absolute", m.Source)
			}
			if err := add(container.MountPoint{Type: mount.TypeBind, Source: m.Source, Destination: m.Target,
				RW: !m.ReadOnly, Propagation: mount.PropagationRPrivate}); err != nil {
				return nil, err
			}
		case mount.TypeVolume:
			name := m.Source
			if name == "" {
				name = newID()
			}
			if err := volumeMount(name, m.Target, !m.ReadOnly, ""); err != nil {
				return nil, err
			}
		case mount.TypeTmpfs:
			// No kernel tmpfs here: an anonymous volume gives the same
			// empty, private, writable directory.
			if err := volumeMount(newID(), m.Target, !m.ReadOnly, ""); err != nil {
				return nil, err
			}
		default:
			return nil, invalid("mount type %q is not supported by this backend", m.Type)
		}
	}
	for dst := range rec.Config.Volumes {
		if seen[path.Clean(dst)] {
			continue
		}
		if err := volumeMount(newID(), dst, true, ""); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// isBindMode says whether s is a bind's mode list (ro, rw, SELinux
// labels, propagation, nocopy), not a container path.
func isBindMode(s string) bool {
	if s == "" {
		return false
	}
	for _, o := range strings.Split(s, ",") {
		switch o {
		case "ro", "rw", "z", "Z", "nocopy", "private", "rprivate", "shared", "rshared", "slave", "rslave":
		default:
			return false
		}
	}
	return true
}
