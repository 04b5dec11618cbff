package lambda

import (
	"fmt"
	"net/http"
	"regexp"
	"strings"

	"github.com/sockerless/sockerless/sandbox"
)

// fileSystemConfig is one entry of FileSystemConfigs: an EFS access
// point mounted at LocalMountPath in every instance of the function.
type fileSystemConfig struct {
	Arn            string `json:"Arn"`
	LocalMountPath string `json:"LocalMountPath"`
}

// vpcConfig is VpcConfig as given; the simulator has no VPC, but Lambda
// refuses file systems to a function outside one.
type vpcConfig struct {
	SubnetIds        []string `json:"SubnetIds"`
	SecurityGroupIds []string `json:"SecurityGroupIds"`
	VpcId            string   `json:"VpcId,omitempty"`
}

var (
	efsArnRE    = regexp.MustCompile(`^arn:aws[a-zA-Z-]*:elasticfilesystem:([a-z]{2}(-gov)?-[a-z]+-\d):\d{12}:access-point/(fsap-[a-f0-9]{17})$`)
	mountPathRE = regexp.MustCompile(`^/mnt/[a-zA-Z0-9-_.]+$`)
)

// checkFileSystems applies CreateFunction's rules to FileSystemConfigs.
func checkFileSystems(fs []fileSystemConfig, vpc *vpcConfig) error {
	if len(fs) == 0 {
		return nil
	}
	if len(fs) > 1 {
		return validation(len(fs), "fileSystemConfigs", "Member must have length less than or equal to 1")
	}
	if !efsArnRE.MatchString(fs[0].Arn) {
		return validation(fs[0].Arn, "fileSystemConfigs.1.member.arn", "Member must satisfy regular expression pattern: arn:aws[a-zA-Z-]*:elasticfilesystem:[a-z]{2}((-gov)|(-iso(b?)))?-[a-z]+-\\d{1}:\\d{12}:access-point/fsap-[a-f0-9]{17}")
	}
	if !mountPathRE.MatchString(fs[0].LocalMountPath) {
		return validation(fs[0].LocalMountPath, "fileSystemConfigs.1.member.localMountPath", "Member must satisfy regular expression pattern: ^/mnt/[a-zA-Z0-9-_.]+$")
	}
	if vpc == nil || len(vpc.SubnetIds) == 0 {
		return invalidParam("Function must be configured with VPC to use EFS. Provide VpcConfig with SubnetIds and SecurityGroupIds.")
	}
	return nil
}

func copyVPC(v *vpcConfig) *vpcConfig {
	if v == nil {
		return nil
	}
	c := *v
	if c.VpcId == "" && len(c.SubnetIds) > 0 {
		c.VpcId = "vpc-" + strings.TrimPrefix(c.SubnetIds[0], "subnet-")
	}
	return &c
}

// mountFileSystems resolves the function's file systems for its
// instances, as Lambda mounts them before the runtime starts; a failure
// is EFSMountFailureException.
func (s *Service) mountFileSystems(sp *spec, fs []fileSystemConfig) error {
	if len(fs) == 0 {
		return nil
	}
	if sp.box == nil {
		// A host process cannot be given /mnt/... of its own.
		return &apiError{Status: http.StatusForbidden, Code: "EFSMountFailureException",
			Message: "awssim: file systems are mounted only into functions the sandbox runs (image functions whose entrypoint is sockerless's agent); this function runs as a host process"}
	}
	for _, f := range fs {
		m := efsArnRE.FindStringSubmatch(f.Arn)
		if s.opts.EFS == nil {
			return &apiError{Status: http.StatusForbidden, Code: "EFSMountFailureException", Message: "awssim: EFS is not available to this Lambda service"}
		}
		dir, err := s.opts.EFS(m[1], "", m[3], "")
		if err != nil {
			return &apiError{Status: http.StatusForbidden, Code: "EFSMountFailureException", Message: fmt.Sprintf("The function couldn't mount the Amazon EFS file system with access point %s: %v", m[3], err)}
		}
		sp.box.mounts = append(sp.box.mounts, sandbox.Mount{Source: dir, Target: f.LocalMountPath})
	}
	return nil
}
