package efsvolumes

import (
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/efs"
)

// Environment variables of the AWS backends' functions for volumes.
const (
	// EnvFileSystem is the EFS file system holding the volumes (the
	// Terraform module's file_system_id output); unset leaves the
	// backend without volumes.
	EnvFileSystem = "SOCKERLESS_EFS_FILE_SYSTEM"
	// EnvMounted is where the control-plane function sees the file
	// system's root, so that removing a volume deletes its data.
	EnvMounted = "SOCKERLESS_EFS_MOUNTED"
)

// FromEnv is the volumes getenv configures, nil when no file system is set.
func FromEnv(cfg aws.Config, getenv func(string) string) *Volumes {
	fs := getenv(EnvFileSystem)
	if fs == "" {
		return nil
	}
	return &Volumes{Client: efs.NewFromConfig(cfg), FileSystemID: fs, Mounted: getenv(EnvMounted)}
}
