package ecs

import (
	"encoding/json"
	"regexp"
	"strconv"
	"strings"

	"github.com/sockerless/sockerless/simulators/aws/internal/awsjson"
)

type keyValue struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

type mountPoint struct {
	SourceVolume  string `json:"sourceVolume"`
	ContainerPath string `json:"containerPath"`
	ReadOnly      bool   `json:"readOnly"`
}

type dependency struct {
	ContainerName string `json:"containerName"`
	Condition     string `json:"condition"`
}

type logConfig struct {
	LogDriver string            `json:"logDriver"`
	Options   map[string]string `json:"options,omitempty"`
}

// containerDef is the part of a container definition the runner uses;
// fields it does not interpret (ports, health checks, secrets...) are
// kept verbatim in Extra so Describe returns what was registered.
type containerDef struct {
	Name             string                     `json:"name"`
	Image            string                     `json:"image"`
	Essential        *bool                      `json:"essential,omitempty"`
	EntryPoint       []string                   `json:"entryPoint,omitempty"`
	Command          []string                   `json:"command,omitempty"`
	Environment      []keyValue                 `json:"environment"`
	WorkingDirectory string                     `json:"workingDirectory,omitempty"`
	User             string                     `json:"user,omitempty"`
	Hostname         string                     `json:"hostname,omitempty"`
	MountPoints      []mountPoint               `json:"mountPoints"`
	DependsOn        []dependency               `json:"dependsOn,omitempty"`
	LogConfiguration *logConfig                 `json:"logConfiguration,omitempty"`
	StopTimeout      *int                       `json:"stopTimeout,omitempty"`
	Memory           *int64                     `json:"memory,omitempty"`
	Cpu              int                        `json:"cpu"`
	Extra            map[string]json.RawMessage `json:"-"`
}

// known lists containerDef's JSON fields; anything else goes to Extra.
var known = map[string]bool{"name": true, "image": true, "essential": true, "entryPoint": true, "command": true,
	"environment": true, "workingDirectory": true, "user": true, "hostname": true, "mountPoints": true, "dependsOn": true,
	"logConfiguration": true, "stopTimeout": true, "memory": true, "cpu": true}

type containerDefAlias containerDef

func (c *containerDef) UnmarshalJSON(b []byte) error {
	if err := json.Unmarshal(b, (*containerDefAlias)(c)); err != nil {
		return err
	}
	var all map[string]json.RawMessage
	if err := json.Unmarshal(b, &all); err != nil {
		return err
	}
	for k, v := range all {
		if !known[k] {
			if c.Extra == nil {
				c.Extra = map[string]json.RawMessage{}
			}
			c.Extra[k] = v
		}
	}
	return nil
}

func (c containerDef) MarshalJSON() ([]byte, error) {
	b, err := json.Marshal(containerDefAlias(c))
	if err != nil || len(c.Extra) == 0 {
		return b, err
	}
	all := map[string]json.RawMessage{}
	if err := json.Unmarshal(b, &all); err != nil {
		return nil, err
	}
	for k, v := range c.Extra {
		all[k] = v
	}
	return json.Marshal(all)
}

func (c *containerDef) essential() bool { return c.Essential == nil || *c.Essential }

type volume struct {
	Name string `json:"name"`
	Host *struct {
		SourcePath string `json:"sourcePath,omitempty"`
	} `json:"host,omitempty"`
	EFS *efsVolume `json:"efsVolumeConfiguration,omitempty"`
}

// efsVolume is efsVolumeConfiguration: an EFS file system, or one of its
// access points, mounted into the task's containers.
type efsVolume struct {
	FileSystemID          string `json:"fileSystemId"`
	RootDirectory         string `json:"rootDirectory,omitempty"`
	TransitEncryption     string `json:"transitEncryption,omitempty"`
	TransitEncryptionPort *int   `json:"transitEncryptionPort,omitempty"`
	AuthorizationConfig   *struct {
		AccessPointID string `json:"accessPointId,omitempty"`
		IAM           string `json:"iam,omitempty"`
	} `json:"authorizationConfig,omitempty"`
}

func (v *efsVolume) accessPoint() string {
	if v.AuthorizationConfig == nil {
		return ""
	}
	return v.AuthorizationConfig.AccessPointID
}

// check applies ECS's registration rules for EFS volumes.
func (v *efsVolume) check() *awsjson.Error {
	switch {
	case v.FileSystemID == "":
		return clientError("The 'fileSystemId' of an EFS volume configuration should not be null or empty.")
	case v.accessPoint() != "" && v.RootDirectory != "" && v.RootDirectory != "/":
		return clientError("When an access point is specified, the root directory must be omitted or set to '/': the access point's path is mounted.")
	case (v.accessPoint() != "" || (v.AuthorizationConfig != nil && v.AuthorizationConfig.IAM == "ENABLED")) && v.TransitEncryption != "ENABLED":
		return clientError("Transit encryption must be enabled when an EFS access point or IAM authorization is used.")
	case v.TransitEncryption != "" && v.TransitEncryption != "ENABLED" && v.TransitEncryption != "DISABLED":
		return clientError("Invalid transitEncryption value '%s': ENABLED or DISABLED.", v.TransitEncryption)
	}
	return nil
}

// taskDef is a registered revision, stored and returned as-is.
type taskDef struct {
	ARN                     string         `json:"taskDefinitionArn"`
	Region                  string         `json:"-"`
	Family                  string         `json:"family"`
	Revision                int            `json:"revision"`
	Status                  string         `json:"status"`
	ContainerDefinitions    []containerDef `json:"containerDefinitions"`
	Volumes                 []volume       `json:"volumes"`
	TaskRoleArn             string         `json:"taskRoleArn,omitempty"`
	ExecutionRoleArn        string         `json:"executionRoleArn,omitempty"`
	NetworkMode             string         `json:"networkMode,omitempty"`
	RequiresCompatibilities []string       `json:"requiresCompatibilities,omitempty"`
	Compatibilities         []string       `json:"compatibilities"`
	Cpu                     string         `json:"cpu,omitempty"`
	Memory                  string         `json:"memory,omitempty"`
	RegisteredAt            float64        `json:"registeredAt"`
	DeregisteredAt          float64        `json:"deregisteredAt,omitempty"`
}

// storedDef adds the region, which the wire form does not carry.
type storedDef struct {
	taskDef
	Region string `json:"region"`
}

func (d *taskDef) familyKey() string { return d.Region + "/" + d.Family }

var familyRE = regexp.MustCompile(`^[a-zA-Z0-9_-]{1,255}$`)

type registerIn struct {
	Family                  string         `json:"family"`
	ContainerDefinitions    []containerDef `json:"containerDefinitions"`
	Volumes                 []volume       `json:"volumes"`
	TaskRoleArn             string         `json:"taskRoleArn"`
	ExecutionRoleArn        string         `json:"executionRoleArn"`
	NetworkMode             string         `json:"networkMode"`
	RequiresCompatibilities []string       `json:"requiresCompatibilities"`
	Cpu                     string         `json:"cpu"`
	Memory                  string         `json:"memory"`
	Tags                    []tag          `json:"tags"`
}

// validate checks what ECS checks at registration, with its messages,
// and refuses what the simulator cannot run (HEALTHY dependencies).
func validate(in *registerIn) *awsjson.Error {
	if !familyRE.MatchString(in.Family) {
		return clientError("Family contains invalid characters or is too long. Up to 255 letters (uppercase and lowercase), numbers, hyphens, and underscores are allowed.")
	}
	if len(in.ContainerDefinitions) == 0 {
		return clientError("Container list cannot be empty.")
	}
	vols := map[string]bool{}
	for _, v := range in.Volumes {
		if v.Name == "" {
			return clientError("Volume name should not be null or empty.")
		}
		if v.Host != nil && v.Host.SourcePath != "" {
			return clientError("Host volume sourcePath is not supported by tasks using the Fargate launch type; the simulator runs Fargate tasks only.")
		}
		if v.EFS != nil {
			if err := v.EFS.check(); err != nil {
				return err
			}
		}
		vols[v.Name] = true
	}
	byName := map[string]*containerDef{}
	essential := false
	for i := range in.ContainerDefinitions {
		c := &in.ContainerDefinitions[i]
		if c.Name == "" {
			return clientError("Container.name should not be null or empty.")
		}
		if c.Image == "" {
			return clientError("Container.image should not be null or empty.")
		}
		if byName[c.Name] != nil {
			return clientError("Duplicate container names not allowed: %s", c.Name)
		}
		byName[c.Name] = c
		essential = essential || c.essential()
		for _, m := range c.MountPoints {
			if !vols[m.SourceVolume] {
				return clientError("Invalid 'sourceVolume' in container %s: Unknown volume '%s'.", c.Name, m.SourceVolume)
			}
			if !strings.HasPrefix(m.ContainerPath, "/") {
				return clientError("Invalid 'containerPath' in container %s: must be an absolute path.", c.Name)
			}
		}
		if lc := c.LogConfiguration; lc != nil && lc.LogDriver != "awslogs" {
			return clientError("Log driver %s is not supported by the simulator; use awslogs.", lc.LogDriver)
		}
	}
	if !essential {
		return clientError("Task definition must have at least one essential container.")
	}
	for _, c := range in.ContainerDefinitions {
		for _, d := range c.DependsOn {
			dep := byName[d.ContainerName]
			if dep == nil {
				return clientError("Container '%s' has a dependency on container '%s', which does not exist in the task definition.", c.Name, d.ContainerName)
			}
			switch d.Condition {
			case "START":
			case "COMPLETE", "SUCCESS":
				if dep.essential() {
					return clientError("Dependency condition %s cannot be used on an essential container: %s.", d.Condition, d.ContainerName)
				}
			case "HEALTHY":
				return clientError("awssim: dependsOn condition HEALTHY needs container health checks, which the simulator does not run; use START, COMPLETE or SUCCESS.")
			default:
				return clientError("Invalid dependency condition '%s' for container '%s'; valid: START, COMPLETE, SUCCESS, HEALTHY.", d.Condition, c.Name)
			}
		}
	}
	if cyclic(in.ContainerDefinitions) {
		return clientError("Container dependencies contain a cycle.")
	}
	return nil
}

func cyclic(defs []containerDef) bool {
	deps := map[string][]string{}
	for _, c := range defs {
		for _, d := range c.DependsOn {
			deps[c.Name] = append(deps[c.Name], d.ContainerName)
		}
	}
	state := map[string]int{} // 1 visiting, 2 done
	var visit func(string) bool
	visit = func(n string) bool {
		switch state[n] {
		case 1:
			return true
		case 2:
			return false
		}
		state[n] = 1
		for _, d := range deps[n] {
			if visit(d) {
				return true
			}
		}
		state[n] = 2
		return false
	}
	for _, c := range defs {
		if visit(c.Name) {
			return true
		}
	}
	return false
}

type taskDefResult struct {
	TaskDefinition *taskDef `json:"taskDefinition"`
	Tags           []tag    `json:"tags,omitempty"`
}

func (s *Service) registerTaskDefinition(region string, in *registerIn) (taskDefResult, *awsjson.Error) {
	if aerr := validate(in); aerr != nil {
		return taskDefResult{}, aerr
	}
	if aerr := checkTags(in.Tags); aerr != nil {
		return taskDefResult{}, aerr
	}
	revs := s.St.families[region+"/"+in.Family]
	rev := len(revs) + 1
	d := &taskDef{
		ARN: s.arn(region, "task-definition/"+in.Family+":"+strconv.Itoa(rev)), Region: region,
		Family: in.Family, Revision: rev, Status: "ACTIVE",
		ContainerDefinitions: in.ContainerDefinitions, Volumes: in.Volumes,
		TaskRoleArn: in.TaskRoleArn, ExecutionRoleArn: in.ExecutionRoleArn, NetworkMode: in.NetworkMode,
		RequiresCompatibilities: in.RequiresCompatibilities, Compatibilities: []string{"EC2", "FARGATE"},
		Cpu: in.Cpu, Memory: in.Memory, RegisteredAt: epoch(s.Now()),
	}
	if d.Volumes == nil {
		d.Volumes = []volume{}
	}
	for i := range d.ContainerDefinitions {
		c := &d.ContainerDefinitions[i]
		if c.Environment == nil {
			c.Environment = []keyValue{}
		}
		if c.MountPoints == nil {
			c.MountPoints = []mountPoint{}
		}
	}
	if err := s.St.putTaskDef(d); err != nil {
		return taskDefResult{}, internal(err)
	}
	if len(in.Tags) > 0 {
		if err := s.St.putTags(d.ARN, in.Tags); err != nil {
			return taskDefResult{}, internal(err)
		}
	}
	return taskDefResult{TaskDefinition: d, Tags: in.Tags}, nil
}

// findTaskDef resolves "family", "family:revision" or an ARN; a bare
// family names its latest ACTIVE revision.
func (s *Service) findTaskDef(region, ref string) *taskDef {
	if strings.HasPrefix(ref, "arn:") {
		return s.St.taskDefs[ref]
	}
	if strings.Contains(ref, ":") {
		return s.St.taskDefs[s.arn(region, "task-definition/"+ref)]
	}
	revs := s.St.families[region+"/"+ref]
	for i := len(revs) - 1; i >= 0; i-- {
		if revs[i].Status == "ACTIVE" {
			return revs[i]
		}
	}
	return nil
}

type describeTaskDefIn struct {
	TaskDefinition string   `json:"taskDefinition"`
	Include        []string `json:"include"`
}

func (s *Service) describeTaskDefinition(region string, in *describeTaskDefIn) (taskDefResult, *awsjson.Error) {
	d := s.findTaskDef(region, in.TaskDefinition)
	if d == nil {
		return taskDefResult{}, clientError("Unable to describe task definition.")
	}
	out := taskDefResult{TaskDefinition: d}
	for _, i := range in.Include {
		if i == "TAGS" {
			out.Tags = s.St.tags[d.ARN]
		}
	}
	return out, nil
}

func (s *Service) deregisterTaskDefinition(region string, in *describeTaskDefIn) (taskDefResult, *awsjson.Error) {
	if !strings.Contains(in.TaskDefinition, ":") || strings.HasSuffix(in.TaskDefinition, ":") {
		return taskDefResult{}, clientError("Invalid revision number. Number: %s", in.TaskDefinition)
	}
	d := s.findTaskDef(region, in.TaskDefinition)
	if d == nil {
		return taskDefResult{}, clientError("The specified task definition does not exist.")
	}
	if d.Status == "ACTIVE" {
		upd := *d
		upd.Status, upd.DeregisteredAt = "INACTIVE", epoch(s.Now())
		if err := s.St.putTaskDef(&upd); err != nil {
			return taskDefResult{}, internal(err)
		}
		revs := s.St.families[d.familyKey()]
		revs[d.Revision-1] = s.St.taskDefs[d.ARN]
		d = s.St.taskDefs[d.ARN]
	}
	return taskDefResult{TaskDefinition: d}, nil
}
