package ecs

import (
	"context"
	"fmt"
	"os"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsecs "github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/sockerless/sockerless/functions/core"
)

// mountVolumes adds the container's named volumes to its task
// definition: each an EFS volume of the volume's access point, with
// transit encryption as ECS requires of access points, mounted into the
// main container read-only where the mount is. Bind mounts were refused
// by Launchable.
func (d *Driver) mountVolumes(ctx context.Context, in *awsecs.RegisterTaskDefinitionInput, mounts []core.Mount) (*awsecs.RegisterTaskDefinitionInput, error) {
	if len(mounts) == 0 {
		return in, nil
	}
	main := &in.ContainerDefinitions[len(in.ContainerDefinitions)-1]
	volumeOf := map[string]string{} // Docker volume → task volume
	for _, m := range mounts {
		name, ok := volumeOf[m.Volume]
		if !ok {
			ap, _, err := d.cfg.Volumes.AccessPoint(ctx, m.Volume)
			if err != nil {
				return nil, err
			}
			name = fmt.Sprintf("volume-%d", len(volumeOf))
			volumeOf[m.Volume] = name
			in.Volumes = append(in.Volumes, types.Volume{Name: aws.String(name), EfsVolumeConfiguration: &types.EFSVolumeConfiguration{
				FileSystemId: aws.String(d.cfg.Volumes.FileSystemID), TransitEncryption: types.EFSTransitEncryptionEnabled,
				AuthorizationConfig: &types.EFSAuthorizationConfig{AccessPointId: aws.String(ap)},
			}})
		}
		main.MountPoints = append(main.MountPoints, types.MountPoint{SourceVolume: aws.String(name), ContainerPath: aws.String(m.Target), ReadOnly: aws.Bool(m.ReadOnly)})
	}
	return in, nil
}

// stagedDir is where the main container sees its staged files.
const stagedDir = "/.sockerless-staged"

// mountStaged mounts what was copied into the created container outside
// its volumes (remotecompute's staging, kept in the volumes' file
// system) read-only into the main container, whose agent copies it into
// the task's root before starting the command.
func (d *Driver) mountStaged(in *awsecs.RegisterTaskDefinitionInput, id string) *awsecs.RegisterTaskDefinitionInput {
	if d.cfg.Volumes == nil {
		return in
	}
	inFS, local := d.cfg.Volumes.StagedDir(id)
	if fi, err := os.Stat(local); local == "" || err != nil || !fi.IsDir() {
		return in
	}
	const name = "sockerless-staged"
	in.Volumes = append(in.Volumes, types.Volume{Name: aws.String(name), EfsVolumeConfiguration: &types.EFSVolumeConfiguration{
		FileSystemId: aws.String(d.cfg.Volumes.FileSystemID), RootDirectory: aws.String(inFS), TransitEncryption: types.EFSTransitEncryptionEnabled,
	}})
	main := &in.ContainerDefinitions[len(in.ContainerDefinitions)-1]
	main.MountPoints = append(main.MountPoints, types.MountPoint{SourceVolume: aws.String(name), ContainerPath: aws.String(stagedDir), ReadOnly: aws.Bool(true)})
	main.Environment = append(main.Environment, types.KeyValuePair{Name: aws.String("SOCKERLESS_STAGED"), Value: aws.String(stagedDir)})
	return in
}

// removeStaged deletes the container's staged files.
func (d *Driver) removeStaged(id string) error {
	if d.cfg.Volumes == nil {
		return nil
	}
	if _, local := d.cfg.Volumes.StagedDir(id); local != "" {
		if err := os.RemoveAll(local); err != nil {
			return fmt.Errorf("delete the staged files of container %s: %w", id, err)
		}
	}
	return nil
}
