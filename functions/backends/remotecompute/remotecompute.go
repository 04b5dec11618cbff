// Package remotecompute is what the compute drivers of remote backends
// (ECS, Lambda) share: the check of their configuration, the checks
// before a start, and volumes that are records only. Such a backend's
// workloads pull their own images and run where the control plane
// cannot reach their filesystems, so a driver built on Base offers
// core.Compute and core.Volumes and leaves the other capabilities out.
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
	// agentURL is where agents dial the edge when the call that started
	// the container did not say (see call.AgentURLHeader).
	agentURL string
	// noMounts is the error a workload with volumes or bind mounts gets.
	noMounts error
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
	return Base{agentURL: agentURL, noMounts: fmt.Errorf("%s: %w", msg, core.ErrUnsupported)}
}

// Launchable checks what the backend needs of w before starting it and
// returns the URL its agent dials.
func (b Base) Launchable(w core.Workload) (string, error) {
	return remoteimages.Launchable(w, b.agentURL, b.noMounts)
}

// Volume names where a volume would be mounted; see VolumeRoot.
func (Base) Volume(_ context.Context, name string) (string, error) {
	return VolumeRoot + name, nil
}

// RemoveVolume has no data to delete.
func (Base) RemoveVolume(context.Context, string) error { return nil }

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
