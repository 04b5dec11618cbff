package awsdeploy

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/efs"
	"github.com/aws/aws-sdk-go-v2/service/efs/types"
)

// SecurityGroup is the mount target's security group (the module makes
// one allowing NFS from the workloads; the simulator has no VPC).
const SecurityGroup = "sg-0123456789abcdef0"

// deployFileSystem makes the volumes' file system and its mount target,
// as the module does, and returns its id.
func deployFileSystem(t testing.TB, cfg aws.Config) string {
	t.Helper()
	c := efs.NewFromConfig(cfg)
	fs, err := c.CreateFileSystem(t.Context(), &efs.CreateFileSystemInput{CreationToken: aws.String(Name + "-volumes"), Encrypted: aws.Bool(true),
		Tags: []types.Tag{{Key: aws.String("Name"), Value: aws.String(Name + "-volumes")}}})
	if err != nil {
		t.Fatalf("deploy: file system: %v", err)
	}
	if _, err := c.CreateMountTarget(t.Context(), &efs.CreateMountTargetInput{FileSystemId: fs.FileSystemId, SubnetId: aws.String(Subnet),
		SecurityGroups: []string{SecurityGroup}}); err != nil {
		t.Fatalf("deploy: mount target: %v", err)
	}
	return aws.ToString(fs.FileSystemId)
}
