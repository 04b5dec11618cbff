package lambda

import (
	"context"
	"fmt"
	"regexp"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/sockerless/sockerless/functions/core"
)

// mountPathRE is where Lambda mounts a file system (LocalMountPath).
var mountPathRE = regexp.MustCompile(`^/mnt/[a-zA-Z0-9-_.]+$`)

// checkVolumes says why w's volumes cannot be mounted in a Lambda
// function, which mounts one file system, read-write, under /mnt.
func (d *Driver) checkVolumes(w core.Workload) error {
	if len(w.Mounts) == 0 {
		return nil
	}
	limit := func(why string) error {
		return fmt.Errorf("%s on the lambda backend: a Lambda function mounts one EFS file system, read-write, at a path under /mnt (as -v NAME:/mnt/NAME): %w", why, core.ErrUnsupported)
	}
	m := w.Mounts[0]
	switch {
	case len(w.Mounts) > 1:
		return limit(fmt.Sprintf("%d volumes cannot be mounted", len(w.Mounts)))
	case !mountPathRE.MatchString(m.Target):
		return limit(fmt.Sprintf("volume %s cannot be mounted at %s", m.Volume, m.Target))
	case m.ReadOnly:
		return limit(fmt.Sprintf("volume %s cannot be mounted read-only", m.Volume))
	}
	return nil
}

// fileSystems is the function's FileSystemConfigs and VpcConfig for w's
// volume (checkVolumes passed), or nils.
func (d *Driver) fileSystems(ctx context.Context, w core.Workload) ([]types.FileSystemConfig, *types.VpcConfig, error) {
	if len(w.Mounts) == 0 {
		return nil, nil, nil
	}
	m := w.Mounts[0]
	_, arn, err := d.cfg.Volumes.AccessPoint(ctx, m.Volume)
	if err != nil {
		return nil, nil, err
	}
	return []types.FileSystemConfig{{Arn: aws.String(arn), LocalMountPath: aws.String(m.Target)}},
		&types.VpcConfig{SubnetIds: d.cfg.Subnets, SecurityGroupIds: d.cfg.SecurityGroups}, nil
}
