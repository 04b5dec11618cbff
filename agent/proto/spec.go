// Package proto is the one protocol between the edge and the agent that
// runs inside every workload: a multiplexed WebSocket carrying the main
// process, attach, exec, resize, signals, archive and exit status.
package proto

import "time"

// ProcessSpec is what the agent starts: the container's main process or
// an exec. The same JSON travels in call.Stream.Spec.
type ProcessSpec struct {
	Args []string `json:"args"`
	Env  []string `json:"env,omitempty"`
	Dir  string   `json:"dir,omitempty"`
	User string   `json:"user,omitempty"`
	TTY  bool     `json:"tty,omitempty"`
	// Stdin keeps the process's stdin open for attached writers.
	Stdin  bool `json:"stdin,omitempty"`
	Height uint `json:"height,omitempty"`
	Width  uint `json:"width,omitempty"`
}

// PathStat describes a container path the way Docker's
// X-Docker-Container-Path-Stat header does (base64 JSON of this).
type PathStat struct {
	Name       string    `json:"name"`
	Size       int64     `json:"size"`
	Mode       uint32    `json:"mode"` // Go os.FileMode bits, as Docker sends them
	Mtime      time.Time `json:"mtime"`
	LinkTarget string    `json:"linkTarget"`
}
