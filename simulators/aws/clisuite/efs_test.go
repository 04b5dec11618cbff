package clisuite

import (
	"os/exec"
	"testing"
)

// TestAWSCLIEFS drives EFS with the AWS CLI: a file system, its mount
// target and access point, tags, and the errors of deleting in order.
func TestAWSCLIEFS(t *testing.T) {
	if testing.Short() {
		t.Skip("the CLI suite starts a Python process per command; skipped in -short mode")
	}
	if _, err := exec.LookPath("aws"); err != nil {
		t.Skip("the AWS CLI (aws) is not on PATH; skipping the CLI suite")
	}
	url := startAwssim(t)
	env := awsEnv(t.TempDir())
	var fs, ap, mt string
	keep := func(into *string, path ...string) func(*testing.T, any, string) {
		return func(t *testing.T, out any, raw string) {
			id, _ := get(out, path...).(string)
			if id == "" {
				t.Fatalf("no %v in %s", path, raw)
			}
			*into = id
		}
	}
	none := func(*testing.T, any, string) {}
	steps := []func() cliCase{
		func() cliCase {
			return cliCase{args: []string{"efs", "create-file-system", "--creation-token", "cli", "--encrypted", "--tags", "Key=Name,Value=cli"}, check: keep(&fs, "FileSystemId")}
		},
		func() cliCase {
			return cliCase{args: []string{"efs", "describe-file-systems", "--file-system-id", fs}, check: equals("available", "FileSystems", "0", "LifeCycleState")}
		},
		func() cliCase {
			return cliCase{args: []string{"efs", "create-mount-target", "--file-system-id", fs, "--subnet-id", "subnet-0123456789abcdef0", "--security-groups", "sg-0123456789abcdef0"}, check: keep(&mt, "MountTargetId")}
		},
		func() cliCase {
			return cliCase{args: []string{"efs", "create-access-point", "--file-system-id", fs, "--posix-user", "Uid=1000,Gid=1000",
				"--root-directory", "Path=/volumes/cli,CreationInfo={OwnerUid=1000,OwnerGid=1000,Permissions=0755}"}, check: keep(&ap, "AccessPointId")}
		},
		func() cliCase {
			return cliCase{args: []string{"efs", "describe-access-points", "--file-system-id", fs}, check: equals("/volumes/cli", "AccessPoints", "0", "RootDirectory", "Path")}
		},
		func() cliCase {
			return cliCase{args: []string{"efs", "tag-resource", "--resource-id", ap, "--tags", "Key=volume,Value=cli"}, check: none}
		},
		func() cliCase {
			return cliCase{args: []string{"efs", "list-tags-for-resource", "--resource-id", ap}, check: equals("volume", "Tags", "0", "Key")}
		},
		func() cliCase {
			return cliCase{args: []string{"efs", "describe-mount-targets", "--access-point-id", ap}, check: equals(mt, "MountTargets", "0", "MountTargetId")}
		},
		func() cliCase {
			return cliCase{args: []string{"efs", "delete-file-system", "--file-system-id", fs}, wantErr: "FileSystemInUse"}
		},
		func() cliCase {
			return cliCase{args: []string{"efs", "delete-access-point", "--access-point-id", ap}, check: none}
		},
		func() cliCase {
			return cliCase{args: []string{"efs", "delete-mount-target", "--mount-target-id", mt}, check: none}
		},
		func() cliCase {
			return cliCase{args: []string{"efs", "delete-file-system", "--file-system-id", fs}, check: none}
		},
		func() cliCase {
			return cliCase{args: []string{"efs", "describe-file-systems", "--file-system-id", fs}, wantErr: "FileSystemNotFound"}
		},
	}
	for _, step := range steps {
		c := step()
		if !t.Run(c.args[1], func(t *testing.T) { runCLI(t, url, env, c) }) {
			t.FailNow()
		}
	}
}
