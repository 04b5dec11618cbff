// Package remotecompute is what the compute drivers of remote backends
// (ECS, Lambda, Cloud Run) share: the check of their configuration, the checks
// before a start, and named volumes: records only, or kept by the
// cloud's shared storage (WithVolumes). Such a backend's workloads pull
// their own images and run where the control plane cannot reach their
// filesystems, so a driver built on Base offers core.Compute and
// core.Volumes and leaves the other capabilities out.
package remotecompute

import (
	"context"
	"fmt"
	"strings"

	"github.com/sockerless/sockerless/functions/core"
	"github.com/sockerless/sockerless/functions/images/remoteimages"
)

// VolumeRoot is where a workload would mount named volumes; a volume is
// only its record until the backend mounts a shared filesystem.
const VolumeRoot = "/mnt/sockerless/volumes/"

// Base is embedded in a remote driver.
type Base struct {
	backend string
	// agentURL is where agents dial the edge when the call that started
	// the container did not say (see call.AgentURLHeader).
	agentURL string
	// noMounts is the error a workload with volumes or bind mounts gets
	// when the backend keeps no volumes.
	noMounts error
	// volumes keeps named volumes' data where workloads mount them; nil
	// when the backend has no shared storage.
	volumes core.Volumes
	// staging: files copied into a created container outside its
	// volumes are staged for its agent (see WithStaging).
	staging bool
	// copyBinds: the edge copies bind mounts in and out (WithBindCopies).
	copyBinds bool
}

var _ core.Volumes = Base{}

// NewBase is the base of backend's driver. Its workloads mount nothing;
// mountsLater, when not empty, says what they would need to (as "they
// need EFS").
func NewBase(backend, agentURL, mountsLater string) Base {
	msg := "volumes and bind mounts are not supported by the " + backend + " backend"
	if mountsLater != "" {
		msg += " yet (" + mountsLater + ")"
	}
	return Base{backend: backend, agentURL: agentURL, noMounts: fmt.Errorf("%s: %w", msg, core.ErrUnsupported)}
}

// WithVolumes is b with named volumes kept by v (the cloud's shared
// storage), which the driver mounts into its workloads; bind mounts
// are still refused, since their sources are on the client's machine.
func (b Base) WithVolumes(v core.Volumes) Base {
	b.volumes = v
	return b
}

// WithBindCopies is b whose driver holds main for the edge's copy of
// bind mounts (core.BindCopier): the driver passes Workload.HoldMain to
// the agent, and core hands it no bind mounts.
func (b Base) WithBindCopies() Base {
	b.copyBinds = true
	return b
}

// CopiesBinds is core.BindCopier.
func (b Base) CopiesBinds() bool { return b.copyBinds }

// Launchable checks what the backend needs of w before starting it and
// returns the URL its agent dials.
func (b Base) Launchable(w core.Workload) (string, error) {
	if b.volumes == nil {
		return remoteimages.Launchable(w, b.agentURL, b.noMounts)
	}
	for _, m := range w.Mounts {
		if m.Volume == "" {
			return "", BindRefused(b.backend, m)
		}
	}
	w.Mounts = nil // the driver mounts the volumes itself
	return remoteimages.Launchable(w, b.agentURL, b.noMounts)
}

// BindRefused is the error a bind mount gets on a remote backend: its
// source is a path on the machine of the Docker client (the edge's), and
// the workload runs in the cloud.
// (Not "is a directory": the docker CLI reads EISDIR's text in a start
// error as exit status 126.)
func BindRefused(backend string, m core.Mount) error {
	return fmt.Errorf("bind mounts are not supported by the %s backend: %s is a path on the Docker client's machine, which a container running in the cloud cannot reach; use a named volume instead (docker volume create NAME, then -v NAME:%s): %w",
		backend, m.Source, m.Target, core.ErrUnsupported)
}

// Volume makes a named volume in the backend's storage and returns its
// Mountpoint; without storage it names where it would be mounted (see
// VolumeRoot).
func (b Base) Volume(ctx context.Context, name string) (string, error) {
	if b.volumes != nil {
		return b.volumes.Volume(ctx, name)
	}
	return VolumeRoot + name, nil
}

// RemoveVolume deletes a named volume and its data from the backend's
// storage; without storage there is nothing to delete.
func (b Base) RemoveVolume(ctx context.Context, name string) error {
	if b.volumes != nil {
		return b.volumes.RemoveVolume(ctx, name)
	}
	return nil
}

// Close has nothing to free: the driver holds only API clients.
func (Base) Close() error { return nil }

// Setting is one configuration value a driver needs.
type Setting struct {
	Name string
	Set  bool
}

// Need is the setting name, set when value is not empty.
func Need(name, value string) Setting { return Setting{Name: name, Set: value != ""} }

// CheckConfig says which of a backend's settings are missing, by name,
// so the function's configuration can be fixed in one go.
func CheckConfig(backend string, settings ...Setting) error {
	var missing []string
	for _, s := range settings {
		if !s.Set {
			missing = append(missing, s.Name)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("%s backend: missing configuration: %s", backend, strings.Join(missing, ", "))
	}
	return nil
}
