package call

// Operation names. The edge's route table maps each Docker API route to
// one of these; a function dispatches on them.
const (
	OpPing         = "system.ping"
	OpVersion      = "system.version"
	OpInfo         = "system.info"
	OpDiskUsage    = "system.df"
	OpSystemEvents = "system.events"
	OpAuth         = "system.auth"

	OpImageList    = "image.list"
	OpImagePull    = "image.create" // POST /images/create: pull or import
	OpImageInspect = "image.inspect"
	OpImageHistory = "image.history"
	OpImageTag     = "image.tag"
	OpImageRemove  = "image.remove"
	OpImagePrune   = "image.prune"
	OpImageSave    = "image.save" // GET /images/get and /images/{name}/get
	OpImageLoad    = "image.load"
	OpImagePush    = "image.push"
	OpImageCommit  = "image.commit" // POST /commit: a container's changes as a new image

	OpContainerList    = "container.list"
	OpContainerCreate  = "container.create"
	OpContainerInspect = "container.inspect"
	OpContainerStart   = "container.start"
	OpContainerStop    = "container.stop"
	OpContainerRestart = "container.restart"
	OpContainerKill    = "container.kill"
	OpContainerWait    = "container.wait"
	OpContainerRemove  = "container.remove"
	OpContainerRename  = "container.rename"
	OpContainerPrune   = "container.prune"
	OpContainerAttach  = "container.attach"
	OpContainerLogs    = "container.logs"
	OpContainerTop     = "container.top"
	OpContainerResize  = "container.resize"
	OpContainerStats   = "container.stats"
	OpContainerArchive = "container.archive" // GET, HEAD and PUT; Header "X-Method" says which
	OpContainerPause   = "container.pause"
	OpContainerUnpause = "container.unpause"
	OpContainerUpdate  = "container.update"
	OpContainerChanges = "container.changes"
	OpContainerExport  = "container.export"

	OpExecCreate  = "exec.create"
	OpExecStart   = "exec.start"
	OpExecInspect = "exec.inspect"
	OpExecResize  = "exec.resize"

	OpVolumeList    = "volume.list"
	OpVolumeCreate  = "volume.create"
	OpVolumeInspect = "volume.inspect"
	OpVolumeRemove  = "volume.remove"
	OpVolumePrune   = "volume.prune"

	OpNetworkList       = "network.list"
	OpNetworkCreate     = "network.create"
	OpNetworkInspect    = "network.inspect"
	OpNetworkRemove     = "network.remove"
	OpNetworkConnect    = "network.connect"
	OpNetworkDisconnect = "network.disconnect"
	OpNetworkPrune      = "network.prune"

	OpBuild      = "build.build"
	OpBuildPrune = "build.prune"

	// Swarm mode, which Sockerless does not have: /swarm and its
	// actions, and what only a manager serves (nodes, services, tasks,
	// secrets, configs).
	OpSwarm        = "swarm.swarm"
	OpSwarmManager = "swarm.manager"

	// Internal operations: the edge reports what the agent told it.
	// Body is JSON (see the core package for the shapes).
	OpContainerExited = "internal.container.exited"
	OpExecExited      = "internal.exec.exited"
	// OpAgentAuth checks an agent's per-container token; the edge asks
	// the function rather than holding the signing key itself.
	OpAgentAuth = "internal.agent.auth"
)

// MethodHeader carries the HTTP method for ops that serve several.
const MethodHeader = "X-Sockerless-Method"

// BodyHeldHeader says the edge kept the request body (its length is the
// value) instead of sending it: a remote transport's payload limit is
// smaller than the body. The edge still has it for the streams it
// carries out (an archive upload goes straight to the agent); a function
// that needs the body itself answers 413.
const BodyHeldHeader = "X-Sockerless-Body-Held"

// AgentURLHeader carries the edge's agent endpoint, where the agents of
// the containers a call starts dial home. Remote backends need it: the
// function cannot know which edge, or at which address, serves a call.
const AgentURLHeader = "X-Sockerless-Agent-Url"
