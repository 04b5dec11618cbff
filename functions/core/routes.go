package core

import (
	"context"

	"github.com/sockerless/sockerless/functions/call"
)

type opFunc = func(context.Context, call.Call) (call.Reply, error)

// routes is the function's dispatch table, one line per operation.
func (c *Core) routes() map[string]opFunc {
	return map[string]opFunc{
		call.OpPing:         c.ping,
		call.OpVersion:      c.version,
		call.OpInfo:         c.info,
		call.OpDiskUsage:    c.diskUsage,
		call.OpSystemEvents: c.systemEvents,
		call.OpAuth:         c.auth,

		call.OpImageList:    c.imageList,
		call.OpImagePull:    c.imageCreate,
		call.OpImageInspect: c.imageInspect,
		call.OpImageHistory: c.imageHistory,
		call.OpImageTag:     c.imageTag,
		call.OpImageRemove:  c.imageRemove,
		call.OpImagePrune:   c.imagePrune,
		call.OpImageSave:    c.imageSave,
		call.OpImageLoad:    c.imageLoad,
		call.OpImageCommit:  c.imageCommit,

		call.OpContainerList:    c.containerList,
		call.OpContainerCreate:  c.containerCreate,
		call.OpContainerInspect: c.containerInspect,
		call.OpContainerStart:   c.containerStart,
		call.OpContainerStop:    c.containerStop,
		call.OpContainerRestart: c.containerRestart,
		call.OpContainerKill:    c.containerKill,
		call.OpContainerWait:    c.containerWait,
		call.OpContainerRemove:  c.containerRemove,
		call.OpContainerRename:  c.containerRename,
		call.OpContainerPrune:   c.containerPrune,
		call.OpContainerAttach:  c.containerAttach,
		call.OpContainerLogs:    c.containerLogs,
		call.OpContainerTop:     c.containerTop,
		call.OpContainerResize:  c.containerResize,
		call.OpContainerArchive: c.containerArchive,
		call.OpContainerStats:   c.containerStats,
		call.OpContainerChanges: c.containerChanges,
		call.OpContainerExport:  c.containerExport,
		call.OpContainerUpdate:  c.containerUpdate,
		call.OpContainerPause:   c.containerPause,
		call.OpContainerUnpause: c.containerUnpause,

		call.OpExecCreate:  c.execCreate,
		call.OpExecStart:   c.execStart,
		call.OpExecInspect: c.execInspect,
		call.OpExecResize:  c.execResize,

		call.OpVolumeList:    c.volumeList,
		call.OpVolumeCreate:  c.volumeCreate,
		call.OpVolumeInspect: c.volumeInspect,
		call.OpVolumeRemove:  c.volumeRemove,
		call.OpVolumePrune:   c.volumePrune,

		call.OpNetworkList:       c.networkList,
		call.OpNetworkCreate:     c.networkCreate,
		call.OpNetworkInspect:    c.networkInspect,
		call.OpNetworkRemove:     c.networkRemove,
		call.OpNetworkPrune:      c.networkPrune,
		call.OpNetworkConnect:    c.networkConnect,
		call.OpNetworkDisconnect: c.networkDisconnect,

		call.OpBuild:      c.build,
		call.OpBuildPrune: c.buildPrune,

		call.OpSwarm:        c.swarm,
		call.OpSwarmManager: c.swarmManager,

		call.OpContainerExited:          c.containerExited,
		call.OpContainerAutoRemove:      c.containerAutoRemove,
		call.OpContainerRestartByPolicy: c.containerRestartByPolicy,
		call.OpContainerHealth:          c.containerHealth,
		call.OpExecExited:               c.execExited,
		call.OpAgentAuth:                c.agentAuth,
	}
}
