package core

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"runtime"

	"github.com/moby/moby/api/types/build"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/image"
	"github.com/moby/moby/api/types/swarm"
	"github.com/moby/moby/api/types/system"
	"github.com/moby/moby/api/types/volume"
	"github.com/sockerless/sockerless/agent/buildinfo"
	"github.com/sockerless/sockerless/functions/call"
)

// Version is the engine version Sockerless reports.
const Version = "0.1.0"

// APIVersion is the newest Engine API version served.
const APIVersion = "1.56"

// MinAPIVersion is the oldest Engine API version served.
const MinAPIVersion = "1.24"

func (c *Core) ping(ctx context.Context, in call.Call) (call.Reply, error) {
	return call.Reply{Status: http.StatusOK, Header: http.Header{"Content-Type": {"text/plain; charset=utf-8"}}, Body: []byte("OK")}, nil
}

func (c *Core) version(ctx context.Context, in call.Call) (call.Reply, error) {
	kernel := kernelVersion()
	bi := buildinfo.Get()
	return jsonReply(http.StatusOK, system.VersionResponse{
		Platform: system.PlatformInfo{Name: "Sockerless"},
		Version:  Version, APIVersion: APIVersion, MinAPIVersion: MinAPIVersion,
		GitCommit: bi.Commit, BuildTime: bi.Date,
		Os: "linux", Arch: runtime.GOARCH, GoVersion: runtime.Version(), KernelVersion: kernel,
		Components: []system.ComponentVersion{{
			Name: "Engine", Version: Version,
			Details: map[string]string{
				"ApiVersion": APIVersion, "MinAPIVersion": MinAPIVersion, "Os": "linux",
				"Arch": runtime.GOARCH, "GoVersion": runtime.Version(), "KernelVersion": kernel,
				"GitCommit": bi.Commit, "BuildTime": bi.Date, "Backend": c.cfg.Backend,
			},
		}, c.aboutComponent()},
	}), nil
}

// aboutComponent is the backend and where it runs as a component of
// `docker version`, which the docker CLI lists with its details.
func (c *Core) aboutComponent() system.ComponentVersion {
	details := map[string]string{"Backend": c.cfg.Backend}
	for _, kv := range c.cfg.About {
		details[kv[0]] = kv[1]
	}
	return system.ComponentVersion{Name: "Sockerless " + c.cfg.Backend, Version: Version, Details: details}
}

func (c *Core) info(ctx context.Context, in call.Call) (call.Reply, error) {
	recs, err := c.containers(ctx, keyContainer)
	if err != nil {
		return call.Reply{}, err
	}
	images, _, err := c.store.List(ctx, keyImage, "", 0)
	if err != nil {
		return call.Reply{}, err
	}
	info := system.Info{
		ID: "sockerless", Containers: len(recs), Images: len(images),
		Driver: c.cfg.Backend, DriverStatus: append([][2]string{{"Backend", c.cfg.Backend}}, c.cfg.About...),
		LoggingDriver: "json-file", KernelVersion: kernelVersion(),
		OperatingSystem: "Sockerless (" + c.cfg.Backend + ")", OSType: "linux",
		Architecture: archName(), NCPU: runtime.NumCPU(), MemTotal: memTotal(),
		DockerRootDir: c.cfg.DataRoot, Name: hostname(), ServerVersion: Version,
		IndexServerAddress: "https://index.docker.io/v1/", Labels: []string{},
		SystemTime: formatTime(c.now()), DefaultRuntime: c.runtimeName(),
		Runtimes:        c.runtimes(),
		SecurityOptions: []string{}, Warnings: []string{},
		Swarm:   swarm.Info{LocalNodeState: swarm.LocalNodeStateInactive},
		Plugins: system.PluginsInfo{Volume: []string{"local"}, Network: []string{"bridge", "host", "null"}, Log: []string{"json-file"}},
	}
	if c.cfg.Runtime.Rootless {
		// rootless dockerd's words on a host that delegates it no cgroups.
		info.SecurityOptions = append(info.SecurityOptions, "name=rootless")
		info.CgroupDriver = "none"
		info.Warnings = append(info.Warnings, "WARNING: Running in rootless-mode without cgroups. Resource limits are discarded (see docs/rootless.md).")
	}
	for _, r := range recs {
		if r.running() {
			info.ContainersRunning++
		} else {
			info.ContainersStopped++
		}
	}
	return jsonReply(http.StatusOK, info), nil
}

// diskUsageLegacy adds the per-object lists API versions before 1.53
// expect (the docker CLI 28 reads them); moby's module dropped the type.
type diskUsageLegacy struct {
	system.DiskUsage
	LayersSize int64
	Images     []image.Summary
	Containers []container.Summary
	Volumes    []volume.Volume
	BuildCache []build.CacheRecord
}

func (c *Core) diskUsage(ctx context.Context, in call.Call) (call.Reply, error) {
	imgs, err := c.images(ctx)
	if err != nil {
		return call.Reply{}, err
	}
	recs, err := c.containers(ctx, keyContainer)
	if err != nil {
		return call.Reply{}, err
	}
	vols, err := listJSON[volume.Volume](ctx, c, keyVolume)
	if err != nil {
		return call.Reply{}, err
	}
	used := map[string]int64{}
	for _, r := range recs {
		used[r.ImageID]++
	}
	out := diskUsageLegacy{Images: []image.Summary{}, Containers: []container.Summary{}, Volumes: []volume.Volume{}, BuildCache: []build.CacheRecord{}}
	iu := &image.DiskUsage{}
	for _, r := range imgs {
		s := image.Summary{ID: r.ID, RepoTags: nonNil(r.RepoTags), RepoDigests: nonNil(r.RepoDigests), Size: r.Size, Containers: used[r.ID]}
		if img, err := r.config(); err == nil && img.Created != nil {
			s.Created = img.Created.Unix()
		}
		out.Images = append(out.Images, s)
		out.LayersSize += r.Size
		iu.TotalCount++
		iu.TotalSize += r.Size
		if used[r.ID] > 0 {
			iu.ActiveCount++
		} else {
			iu.Reclaimable += r.Size
		}
	}
	cu := &container.DiskUsage{}
	for i := range recs {
		out.Containers = append(out.Containers, c.summaryOf(&recs[i]))
		cu.TotalCount++
		if recs[i].running() {
			cu.ActiveCount++
		}
	}
	vu := &volume.DiskUsage{}
	inUse, _ := c.volumesInUse(ctx)
	for _, v := range vols {
		v.UsageData = &volume.UsageData{Size: -1, RefCount: 0}
		if inUse[v.Name] {
			v.UsageData.RefCount = 1
			vu.ActiveCount++
		}
		out.Volumes = append(out.Volumes, v)
		vu.TotalCount++
	}
	out.ImageUsage, out.ContainerUsage, out.VolumeUsage = iu, cu, vu
	out.BuildCacheUsage = &build.DiskUsage{}
	if versionAtLeast(in.Version, "1.53") {
		return jsonReply(http.StatusOK, out.DiskUsage), nil
	}
	return jsonReply(http.StatusOK, out), nil
}

func (c *Core) auth(ctx context.Context, in call.Call) (call.Reply, error) {
	var req map[string]any
	if err := decodeBody(in, &req, false); err != nil {
		return call.Reply{}, err
	}
	// Credentials are checked by the registry at pull time; nothing is stored.
	return jsonReply(http.StatusOK, map[string]string{"Status": "Login Succeeded"}), nil
}

// versionAtLeast compares "1.50"-style API versions.
func versionAtLeast(v, min string) bool {
	if v == "" {
		return true
	}
	var a1, a2, b1, b2 int
	_, _ = fmtSscan(v, &a1, &a2)
	_, _ = fmtSscan(min, &b1, &b2)
	return a1 > b1 || (a1 == b1 && a2 >= b2)
}

func archName() string {
	if runtime.GOARCH == "amd64" {
		return "x86_64"
	}
	return runtime.GOARCH
}

func hostname() string {
	h, _ := os.Hostname()
	return h
}

func fmtSscan(v string, major, minor *int) (int, error) {
	return fmt.Sscanf(v, "%d.%d", major, minor)
}

// RuntimeInfo names the runtime a backend runs containers with and why
// it is that one (local mode's --runtime auto chooses).
type RuntimeInfo struct {
	Name string // "sandbox", "native", "engine"
	Why  string // "auto: ...", or "" when the user named it
	// Rootless says it runs containers without root, in user
	// namespaces: `docker info` says so as rootless dockerd does.
	Rootless bool
}

// runtimeName is the runtime containers run on, as `docker info` and
// HostConfig.Runtime name it: local mode's choice, else the backend.
func (c *Core) runtimeName() string {
	switch {
	case c.cfg.Runtime.Name != "":
		return c.cfg.Runtime.Name
	case c.cfg.Backend != "":
		return c.cfg.Backend
	}
	return "sandbox"
}

// runtimes is `docker info`'s Runtimes: the one runtime, with why it
// was chosen in its status, as dockerd shows a runtime's features, and
// runc, the name clients pass for dockerd's default, standing in for it.
func (c *Core) runtimes() map[string]system.RuntimeWithStatus {
	name := c.runtimeName()
	rt := system.RuntimeWithStatus{Runtime: system.Runtime{Path: "sockerless-" + name}}
	if c.cfg.Runtime.Why != "" {
		rt.Status = map[string]string{"org.sockerless.runtime.chosen": c.cfg.Runtime.Why}
	}
	runc := system.RuntimeWithStatus{Runtime: rt.Runtime, Status: map[string]string{"org.sockerless.runtime.stands-for": name}}
	return map[string]system.RuntimeWithStatus{name: rt, runcRuntime: runc}
}
