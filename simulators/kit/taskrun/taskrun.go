// Package taskrun holds what running a task's containers needs beyond
// the cloud's own semantics: the runtime that runs them (the sandbox, or
// the native runtime where this process can run it), the task's workspace on disk
// (each container's writable root, the shared volumes), the environment
// a container gets from its layers, the graceful stop (SIGTERM, then
// SIGKILL after a grace period), and a container's output as lines.
//
// The AWS simulator's ECS runs Fargate tasks with it and keeps the task
// lifecycle, dependencies and awslogs; a GCP simulator's Cloud Run jobs
// run each task of an execution with it, its lines going to Cloud
// Logging, and stop them with Cloud Run's grace period.
package taskrun

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// Workspace is one task's directory: containers/<name> holds each
// container's writable root, volumes/<name> each volume the task's
// containers share.
type Workspace struct{ Dir string }

// ContainerRoot makes and returns the writable root of container name.
func (w Workspace) ContainerRoot(name string) (string, error) {
	root := filepath.Join(w.Dir, "containers", name)
	return root, os.MkdirAll(root, 0o755)
}

// Volume is the host directory of the task's volume name.
func (w Workspace) Volume(name string) string { return filepath.Join(w.Dir, "volumes", name) }

// MakeVolume makes the task's volume name, writable by every container.
func (w Workspace) MakeVolume(name string) error { return os.MkdirAll(w.Volume(name), 0o777) }

// Remove deletes the workspace and everything in it.
func (w Workspace) Remove() error { return os.RemoveAll(w.Dir) }

// Stop asks p to stop as container platforms do: SIGTERM now and, if it
// has not ended within grace, kill (which must end it for good).
func Stop(p Proc, grace time.Duration, kill func()) {
	p.Signal(syscall.SIGTERM)
	time.AfterFunc(grace, func() {
		select {
		case <-p.Done():
		default:
			kill()
		}
	})
}

// Env joins a container's environment from its layers, lowest first
// (the image's, the platform's, the definition's, the run's overrides):
// only the last setting of each variable is kept, where it stands, so a
// later layer overrides an earlier one.
func Env(layers ...[]string) []string {
	var all []string
	for _, l := range layers {
		all = append(all, l...)
	}
	last := map[string]int{}
	for i, kv := range all {
		k, _, _ := strings.Cut(kv, "=")
		last[k] = i
	}
	var out []string
	for i, kv := range all {
		k, _, _ := strings.Cut(kv, "=")
		if last[k] == i {
			out = append(out, kv)
		}
	}
	return out
}

// FirstOf returns the first of vs that is not empty.
func FirstOf(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}
