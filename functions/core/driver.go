package core

import (
	"context"
	"errors"
	"io"
	"net"
	"net/netip"
	"time"

	"github.com/moby/moby/api/types/jsonstream"
	"github.com/sockerless/sockerless/agent/proto"
)

// Compute runs workloads on one backend's capacity (the local sandbox,
// ECS, Lambda, Cloud Run, ...). It holds no Docker semantics: core
// decides what to run, the driver runs it. It is the core of running a
// workload, which every backend can do; what only some backends can
// (Preparer, Volumes, FileReacher, Meter, Snapshotter, BuildJobs) each
// is an interface of its own that core looks for, and answers Docker's
// error saying the backend cannot when it is absent.
type Compute interface {
	// Start launches the workload; its agent dials the edge with Token.
	Start(ctx context.Context, w Workload) error
	// Status reports whether the workload's main process still runs.
	Status(ctx context.Context, id string) (WorkloadStatus, error)
	// Stop ends the workload without the agent's help (force remove,
	// or an agent that has gone away).
	Stop(ctx context.Context, id string) error
	// Remove frees everything the workload held.
	Remove(ctx context.Context, id string) error
	// Logs returns log entries after cursor ("" from the start) and the
	// cursor to continue from.
	Logs(ctx context.Context, id, cursor string) ([]LogEntry, string, error)
}

// Preparer is what a backend offers when a created container needs
// readying before it starts (its filesystem). Without it, creating a
// container only records it: the workload is defined at its start.
type Preparer interface {
	Prepare(ctx context.Context, w Workload) error
}

// BindCopier is what a backend offers whose workloads cannot mount the
// Docker client's paths but run an agent that can hold main: when
// CopiesBinds, core hands the driver no bind mounts, holds main
// (Workload.HoldMain), and tells the edge in the start's reply which
// binds to copy in before releasing main, and back after it exits.
type BindCopier interface {
	CopiesBinds() bool
}

// Volumes is what a backend that holds named volumes' data offers.
type Volumes interface {
	// Volume returns the host path of a named volume, creating it.
	Volume(ctx context.Context, name string) (string, error)
	// RemoveVolume deletes a named volume's data.
	RemoveVolume(ctx context.Context, name string) error
}

// FileReacher is what a backend that can reach a stopped container's
// filesystem offers (docker cp before start, as CI runners do). Without
// it, docker cp works only while the agent runs.
type FileReacher interface {
	Files(ctx context.Context, w Workload) (Files, error)
}

// Lingerer is what a backend whose workload's filesystem goes with it
// (a cloud task) offers to keep docker cp out of a stopped container
// working: the workload's agent stays, after main's exit is recorded,
// serving the container's files for Linger, or until the container is
// removed or started again. Meanwhile Status reports it running; core
// knows its exit from the record. Setting names the configuration that
// sets Linger, for the error a later copy gets.
type Lingerer interface {
	Linger() (d time.Duration, setting string)
}

// Files reads and writes a container's filesystem when no agent runs.
type Files interface {
	Stat(path string) (proto.PathStat, error)
	Get(path string, w io.Writer) (proto.PathStat, error)
	Put(path string, r io.Reader, noOverwriteDirNonDir bool) error
}

// Workload is what core asks a driver to run.
type Workload struct {
	ID      string
	Name    string
	ImageID string
	// ImageRef is a pinned reference to the image in its registry
	// (repository@digest) when it was pulled from one, else "": remote
	// backends pull the image themselves.
	ImageRef string
	Hostname string
	Main     proto.ProcessSpec
	Mounts   []Mount
	// Token is the per-start credential the agent presents to the edge.
	Token string
	// AgentURL is where the agent dials the edge, as the edge that
	// carried the start call said; "" when it did not (the driver's own
	// setting holds).
	AgentURL string
	// Peers are the names (container names, network aliases) of the
	// running containers on its user-defined networks, which Docker's
	// embedded DNS resolves for it. A runtime that puts every workload
	// on the host's network resolves them to loopback.
	Peers []string
	// MemoryBytes bounds the workload where the backend can.
	MemoryBytes int64
	// PidsLimit bounds its live processes (docker run --pids-limit); 0 is
	// the backend's default.
	PidsLimit int64
	// NanoCPUs bounds its CPU time in billionths of a CPU (docker run
	// --cpus) where the backend can; 0 is unbounded.
	NanoCPUs int64
	// Tmpfs maps container paths to tmpfs mounts' options (docker run
	// --tmpfs) where the backend can.
	Tmpfs map[string]string
	// ReadOnlyRoot makes the root filesystem read-only (docker run
	// --read-only) where the backend can.
	ReadOnlyRoot bool
	// NetworkMode is the container's network as docker run named it
	// ("none", "host", "bridge", a network's name); a backend that runs
	// every workload on one network ignores it.
	NetworkMode string
	// Endpoints are its places on bridge networks, with the addresses
	// core allocated, in network name order; a runtime that gives each
	// workload a network of its own wires them.
	Endpoints []Endpoint
	// ExtraHosts are docker run's --add-host entries ("name:ip", where
	// ip may be "host-gateway"); DNS, DNSSearch and DNSOptions are its
	// --dns, --dns-search and --dns-option.
	ExtraHosts            []string
	DNS                   []netip.Addr
	DNSSearch, DNSOptions []string
	// GroupAdd are docker run --group-add's supplementary groups (names
	// in the image's /etc/group, or numeric IDs) for the workload's
	// processes, where the backend can.
	GroupAdd []string
	// Health is the healthcheck the workload's agent runs while main
	// runs (agent.Config.Health; SOCKERLESS_HEALTHCHECK for an agent
	// program), nil for none. Core keeps the results.
	Health *proto.HealthSpec
	// HoldMain: the agent holds main until the edge releases it, once it
	// has copied the container's bind-mount sources in (BindCopier).
	HoldMain bool
}

// Endpoint is a workload's place on one bridge network.
type Endpoint struct {
	NetworkID, Network string // the network's ID and name
	// Address is the workload's IPv4 address with its subnet's length.
	Address netip.Prefix
	Gateway netip.Addr
	MAC     net.HardwareAddr
	// DNSNames are the names peers on a user-defined network know it
	// by (none on the predefined ones).
	DNSNames []string
	// Links are the endpoint's links (network connect --link
	// name:alias), alias (lower case) to the linked container's name:
	// on this network, for this workload only, alias resolves to it.
	Links map[string]string
}

// AgentURLOr is where w's agent dials the edge: the URL the edge sent,
// else the backend's own setting; an error says how to set one.
func (w Workload) AgentURLOr(fallback string) (string, error) {
	switch {
	case w.AgentURL != "":
		return w.AgentURL, nil
	case fallback != "":
		return fallback, nil
	}
	return "", errors.New("no agent URL: start the edge with --agent-url, or set SOCKERLESS_AGENT_URL on the function")
}

// Mount is a resolved mount: Source is a host path the driver can use,
// or for a named volume the Mountpoint its Volumes gave.
type Mount struct {
	Source   string
	Target   string
	ReadOnly bool
	// Volume names the named volume mounted; "" for a bind mount, whose
	// Source is a path on the machine of the Docker client.
	Volume string
}

// WorkloadStatus is the driver's view of a workload.
type WorkloadStatus struct {
	Running    bool
	Known      bool // false: the driver has no trace of it (lost on restart)
	ExitCode   int
	FinishedAt time.Time
	Error      string
	Pid        int
	// Procs counts the workload's live processes, where the backend knows.
	Procs int
	// OOMKilled says the kernel killed a process of the workload for
	// going over its memory limit, where the backend knows.
	OOMKilled bool
}

// LogEntry is one chunk of output, as the platform's log driver kept it.
type LogEntry struct {
	Stream int // 1 stdout, 2 stderr
	Time   time.Time
	Data   []byte
}

// Images is the backend's image content: where layers live and how they
// reach workloads. Image records and tags are core's, in the store.
type Images interface {
	Pull(ctx context.Context, ref string, auth string, progress func(jsonstream.Message)) (ImageContent, error)
	Import(ctx context.Context, r io.Reader, changes []string, platform string) (ImageContent, error)
	Load(ctx context.Context, r io.Reader) ([]LoadedImage, error)
	Save(ctx context.Context, w io.Writer, imgs []SavedImage) error
	// DeleteImage drops an image's content once core forgot the image.
	DeleteImage(ctx context.Context, id string) error
}

// ImageContent describes an image the backend holds.
type ImageContent struct {
	ID          string
	RepoDigests []string
	// ConfigJSON is the OCI image config, verbatim.
	ConfigJSON []byte
	Size       int64
	// Parent is the image it was made over, when core knows it (a
	// commit's container's image); backends leave it "".
	Parent string
}

// LoadedImage is one image from `docker load` with the tags it carried.
type LoadedImage struct {
	ImageContent
	RepoTags []string
}

// SavedImage names an image for `docker save`.
type SavedImage struct {
	ID       string
	RepoTags []string
}
