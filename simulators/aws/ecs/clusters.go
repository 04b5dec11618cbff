package ecs

import (
	"regexp"
	"sort"
	"strings"

	"github.com/sockerless/sockerless/simulators/aws/internal/awsjson"
)

type cluster struct {
	ARN    string `json:"arn"`
	Region string `json:"region"`
	Name   string `json:"name"`
}

type clusterOut struct {
	ClusterArn                        string   `json:"clusterArn"`
	ClusterName                       string   `json:"clusterName"`
	Status                            string   `json:"status"`
	RegisteredContainerInstancesCount int      `json:"registeredContainerInstancesCount"`
	RunningTasksCount                 int      `json:"runningTasksCount"`
	PendingTasksCount                 int      `json:"pendingTasksCount"`
	ActiveServicesCount               int      `json:"activeServicesCount"`
	CapacityProviders                 []string `json:"capacityProviders"`
	Tags                              []tag    `json:"tags,omitempty"`
}

var clusterNameRE = regexp.MustCompile(`^[a-zA-Z0-9_-]{1,255}$`)

// findCluster resolves a cluster name or ARN ("" is the default cluster).
func (s *Service) findCluster(region, ref string) (*cluster, *awsjson.Error) {
	if ref == "" {
		ref = "default"
	}
	arn := ref
	if !strings.HasPrefix(ref, "arn:") {
		arn = s.arn(region, "cluster/"+ref)
	}
	c := s.St.clusters[arn]
	if c == nil {
		return nil, clusterNotFound()
	}
	return c, nil
}

func (s *Service) renderCluster(c *cluster, withTags bool) clusterOut {
	out := clusterOut{ClusterArn: c.ARN, ClusterName: c.Name, Status: "ACTIVE", CapacityProviders: []string{}}
	for _, t := range s.tasks {
		if t.clusterARN != c.ARN {
			continue
		}
		switch t.lastStatus {
		case "RUNNING":
			out.RunningTasksCount++
		case "PROVISIONING", "PENDING":
			out.PendingTasksCount++
		}
	}
	if withTags {
		out.Tags = s.St.tags[c.ARN]
	}
	return out
}

type createClusterIn struct {
	ClusterName string `json:"clusterName"`
	Tags        []tag  `json:"tags"`
}

type clusterResult struct {
	Cluster clusterOut `json:"cluster"`
}

// createCluster is idempotent, as in ECS: creating an existing cluster
// returns it.
func (s *Service) createCluster(region string, in *createClusterIn) (clusterResult, *awsjson.Error) {
	name := in.ClusterName
	if name == "" {
		name = "default"
	}
	if !clusterNameRE.MatchString(name) {
		return clusterResult{}, invalid("Cluster name can only contain letters (uppercase and lowercase), numbers, underscores and hyphens, and must be 255 characters or fewer.")
	}
	if aerr := checkTags(in.Tags); aerr != nil {
		return clusterResult{}, aerr
	}
	arn := s.arn(region, "cluster/"+name)
	c := s.St.clusters[arn]
	if c == nil {
		c = &cluster{ARN: arn, Region: region, Name: name}
		if err := s.St.putCluster(c); err != nil {
			return clusterResult{}, internal(err)
		}
	}
	if len(in.Tags) > 0 {
		merged, aerr := mergeTags(s.St.tags[arn], in.Tags)
		if aerr != nil {
			return clusterResult{}, aerr
		}
		if err := s.St.putTags(arn, merged); err != nil {
			return clusterResult{}, internal(err)
		}
	}
	return clusterResult{s.renderCluster(c, len(in.Tags) > 0)}, nil
}

type describeClustersIn struct {
	Clusters []string `json:"clusters"`
	Include  []string `json:"include"`
}

type failure struct {
	Arn    string `json:"arn"`
	Reason string `json:"reason"`
}

type describeClustersOut struct {
	Clusters []clusterOut `json:"clusters"`
	Failures []failure    `json:"failures"`
}

func (s *Service) describeClusters(region string, in *describeClustersIn) (describeClustersOut, *awsjson.Error) {
	refs := in.Clusters
	if len(refs) == 0 {
		refs = []string{"default"}
	}
	if len(refs) > 100 {
		return describeClustersOut{}, invalid("Too many clusters specified. Max 100.")
	}
	withTags := false
	for _, i := range in.Include {
		withTags = withTags || i == "TAGS"
	}
	out := describeClustersOut{Clusters: []clusterOut{}, Failures: []failure{}}
	for _, ref := range refs {
		c, aerr := s.findCluster(region, ref)
		if aerr != nil {
			arn := ref
			if !strings.HasPrefix(ref, "arn:") {
				arn = s.arn(region, "cluster/"+ref)
			}
			out.Failures = append(out.Failures, failure{arn, "MISSING"})
			continue
		}
		out.Clusters = append(out.Clusters, s.renderCluster(c, withTags))
	}
	return out, nil
}

type deleteClusterIn struct {
	Cluster string `json:"cluster"`
}

func (s *Service) deleteCluster(region string, in *deleteClusterIn) (clusterResult, *awsjson.Error) {
	if in.Cluster == "" {
		return clusterResult{}, invalid("Cluster can not be blank.")
	}
	c, aerr := s.findCluster(region, in.Cluster)
	if aerr != nil {
		return clusterResult{}, aerr
	}
	for _, t := range s.tasks {
		if t.clusterARN == c.ARN && t.lastStatus != "STOPPED" {
			return clusterResult{}, awsjson.BadRequest("ClusterContainsTasksException", "The Cluster cannot be deleted while Tasks are active.")
		}
	}
	out := s.renderCluster(c, false)
	out.Status = "INACTIVE"
	if err := s.St.dropCluster(c); err != nil {
		return clusterResult{}, internal(err)
	}
	if err := s.St.putTags(c.ARN, nil); err != nil {
		return clusterResult{}, internal(err)
	}
	for arn, t := range s.tasks {
		if t.clusterARN == c.ARN {
			delete(s.tasks, arn)
		}
	}
	return clusterResult{out}, nil
}

type listIn struct {
	MaxResults *int   `json:"maxResults"`
	NextToken  string `json:"nextToken"`
}

type listClustersOut struct {
	ClusterArns []string `json:"clusterArns"`
	NextToken   string   `json:"nextToken,omitempty"`
}

func (s *Service) listClusters(region string, in *listIn) (listClustersOut, *awsjson.Error) {
	var arns []string
	for _, c := range s.St.clusters {
		if c.Region == region {
			arns = append(arns, c.ARN)
		}
	}
	sort.Strings(arns)
	page, next, aerr := paginate(arns, in.NextToken, in.MaxResults)
	if aerr != nil {
		return listClustersOut{}, aerr
	}
	return listClustersOut{page, next}, nil
}
