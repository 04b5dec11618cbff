package ecs

import (
	"context"
	"fmt"

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
