// Package efsvolumes keeps Docker named volumes on Amazon EFS for the
// AWS backends: each volume is an access point of the deployment's one
// file system (made by the Terraform module, with its mount targets),
// rooted at a directory of its own that the access point creates on
// first mount. ECS tasks mount it through efsVolumeConfiguration, Lambda
// functions through FileSystemConfigs.
//
// A volume is found by its access point's tag, so the control plane
// keeps nothing. Each creation gets a fresh directory: a volume removed
// and made again under the same name starts empty even where the old
// directory could not be deleted.
package efsvolumes

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/efs"
	"github.com/aws/aws-sdk-go-v2/service/efs/types"

	"github.com/sockerless/sockerless/functions/core"
)

// Root is the directory of the file system holding the volumes.
const Root = "/sockerless/volumes"

// Staged is the directory of the file system holding, one directory
// per container, what was copied into created containers outside their
// volumes, for their agents to put in place at start.
const Staged = "/sockerless/staged"

// TagVolume names the Docker volume an access point holds.
const TagVolume = "sockerless:volume"

// Volumes is core.Volumes on one EFS file system.
type Volumes struct {
	Client       *efs.Client
	FileSystemID string
	// Mounted is where the control plane itself sees the file system's
	// root (its function's FileSystemConfigs); "" when it does not, and
	// then a removed volume's directory stays (unreachable: a new volume
	// gets a new one).
	Mounted string
}

var _ core.Volumes = Volumes{}

// Volume makes name's access point unless it exists and returns its
// directory in the file system, the volume's Mountpoint.
func (v Volumes) Volume(ctx context.Context, name string) (string, error) {
	if ap, err := v.find(ctx, name); err != nil || ap != nil {
		return rootOf(ap), err
	}
	var b [4]byte
	rand.Read(b[:])
	dir := path.Join(Root, short(name)+"-"+hex.EncodeToString(b[:]))
	zero := aws.Int64(0)
	_, err := v.Client.CreateAccessPoint(ctx, &efs.CreateAccessPointInput{
		FileSystemId: aws.String(v.FileSystemID),
		// One access point per name even when two calls race: the second
		// is refused as AccessPointAlreadyExists and finds the first.
		ClientToken: aws.String(token(name)),
		// Containers run as the image's user: the volume is root's and
		// open to all, as a fresh Docker volume is writable by anyone
		// the image runs as.
		PosixUser: &types.PosixUser{Uid: zero, Gid: zero},
		RootDirectory: &types.RootDirectory{Path: aws.String(dir),
			CreationInfo: &types.CreationInfo{OwnerUid: zero, OwnerGid: zero, Permissions: aws.String("0777")}},
		Tags: []types.Tag{{Key: aws.String("Name"), Value: aws.String(name)}, {Key: aws.String(TagVolume), Value: aws.String(name)}},
	})
	var exists *types.AccessPointAlreadyExists
	var limit *types.AccessPointLimitExceeded
	switch {
	case errors.As(err, &exists):
		ap, err := v.find(ctx, name)
		if err == nil && ap == nil {
			err = fmt.Errorf("access point of volume %s exists but was not found", name)
		}
		return rootOf(ap), err
	case errors.As(err, &limit):
		return "", fmt.Errorf("EFS file system %s holds as many volumes as it can (%s): remove unused ones with docker volume prune", v.FileSystemID, limit.ErrorMessage())
	case err != nil:
		return "", fmt.Errorf("EFS CreateAccessPoint: %w", err)
	}
	return dir, nil
}

// AccessPoint is the id and ARN of name's access point, for a
// workload's mount (ECS takes the id, Lambda the ARN).
func (v Volumes) AccessPoint(ctx context.Context, name string) (id, arn string, err error) {
	ap, err := v.find(ctx, name)
	if err == nil && ap == nil {
		err = fmt.Errorf("volume %s has no EFS access point in file system %s", name, v.FileSystemID)
	}
	if err != nil {
		return "", "", err
	}
	return aws.ToString(ap.AccessPointId), aws.ToString(ap.AccessPointArn), nil
}

// RemoveVolume deletes name's access point and, where the control plane
// sees the file system, its directory.
func (v Volumes) RemoveVolume(ctx context.Context, name string) error {
	ap, err := v.find(ctx, name)
	if err != nil || ap == nil {
		return err
	}
	if v.Mounted != "" {
		if err := os.RemoveAll(filepath.Join(v.Mounted, filepath.FromSlash(rootOf(ap)))); err != nil {
			return fmt.Errorf("delete the data of volume %s: %w", name, err)
		}
	}
	_, err = v.Client.DeleteAccessPoint(ctx, &efs.DeleteAccessPointInput{AccessPointId: ap.AccessPointId})
	var gone *types.AccessPointNotFound
	if err != nil && !errors.As(err, &gone) {
		return fmt.Errorf("EFS DeleteAccessPoint: %w", err)
	}
	return nil
}

// LocalDir is where the control plane sees name's data: its access
// point's root directory under Mounted, made as EFS makes it on the
// first mount through the access point (root's, mode 0777), since a
// container created and not yet started has mounted nothing.
func (v Volumes) LocalDir(ctx context.Context, name string) (string, error) {
	if v.Mounted == "" {
		return "", fmt.Errorf("the control plane does not mount EFS file system %s (set %s), so it cannot reach volume %s: %w", v.FileSystemID, EnvMounted, name, core.ErrUnsupported)
	}
	ap, err := v.find(ctx, name)
	if err == nil && ap == nil {
		err = fmt.Errorf("volume %s has no EFS access point in file system %s", name, v.FileSystemID)
	}
	if err != nil {
		return "", err
	}
	dir := filepath.Join(v.Mounted, filepath.FromSlash(rootOf(ap)))
	if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
		if err := os.MkdirAll(dir, 0o777); err != nil {
			return "", fmt.Errorf("make the directory of volume %s: %w", name, err)
		}
		return dir, os.Chmod(dir, 0o777)
	}
	return dir, nil
}

// StagedDir is where container id's staged files are: in the file
// system, and where the control plane sees them ("" when it does not).
func (v Volumes) StagedDir(id string) (inFS, local string) {
	inFS = path.Join(Staged, id)
	if v.Mounted != "" {
		local = filepath.Join(v.Mounted, filepath.FromSlash(inFS))
	}
	return inFS, local
}

// find is name's access point, nil when there is none.
func (v Volumes) find(ctx context.Context, name string) (*types.AccessPointDescription, error) {
	p := efs.NewDescribeAccessPointsPaginator(v.Client, &efs.DescribeAccessPointsInput{FileSystemId: aws.String(v.FileSystemID)})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("EFS DescribeAccessPoints: %w", err)
		}
		for i, ap := range out.AccessPoints {
			for _, t := range ap.Tags {
				if aws.ToString(t.Key) == TagVolume && aws.ToString(t.Value) == name {
					return &out.AccessPoints[i], nil
				}
			}
		}
	}
	return nil, nil
}

func rootOf(ap *types.AccessPointDescription) string {
	if ap == nil || ap.RootDirectory == nil {
		return ""
	}
	return aws.ToString(ap.RootDirectory.Path)
}

// short is name as a directory name that keeps the access point's root
// within EFS's 100 characters (act's volume names run past 80).
func short(name string) string {
	if len(name) <= 48 {
		return name
	}
	sum := sha256.Sum256([]byte(name))
	return name[:35] + "-" + hex.EncodeToString(sum[:])[:12]
}

// token is the idempotency token of name's access point (at most 64
// characters, whatever the name's length).
func token(name string) string {
	if len(name) <= 53 {
		return "sockerless-" + name
	}
	sum := sha256.Sum256([]byte(name))
	return "sockerless-" + name[:36] + "-" + hex.EncodeToString(sum[:])[:16]
}
