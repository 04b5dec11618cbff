package server

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	ecssdk "github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
)

// TestECSDefinitionsPersist walks clusters, task definition revisions
// and tags through a restart of the simulator on the same data dir.
func TestECSDefinitionsPersist(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	e := newECSEnv(t, Config{DataDir: dir})
	first := e.register(t, "web", e.container("main", "true"))
	second := e.register(t, "web", e.container("main", "echo two"))
	if first != "arn:aws:ecs:us-east-1:000000000000:task-definition/web:1" || second != "arn:aws:ecs:us-east-1:000000000000:task-definition/web:2" {
		t.Fatalf("revisions %s, %s", first, second)
	}
	clusterARN := "arn:aws:ecs:us-east-1:000000000000:cluster/" + ecsCluster
	if _, err := e.ecs.TagResource(ctx, &ecssdk.TagResourceInput{ResourceArn: aws.String(clusterARN), Tags: []ecstypes.Tag{{Key: aws.String("team"), Value: aws.String("infra")}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.ecs.DeregisterTaskDefinition(ctx, &ecssdk.DeregisterTaskDefinitionInput{TaskDefinition: aws.String("web:2")}); err != nil {
		t.Fatal(err)
	}
	e.srv.Close()

	srv, err := New(Config{DataDir: dir, Addr: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	c := newECSClient(t, srv.URL())

	d, err := c.DescribeTaskDefinition(ctx, &ecssdk.DescribeTaskDefinitionInput{TaskDefinition: aws.String("web")})
	if err != nil || *d.TaskDefinition.TaskDefinitionArn != first {
		t.Fatalf("latest ACTIVE web after restart: %v %v (want revision 1: 2 is deregistered)", d, err)
	}
	if got := d.TaskDefinition.ContainerDefinitions[0].Command; !slices.Equal(got, []string{"sh", "-c", "true"}) {
		t.Errorf("command after restart %q", got)
	}
	d2, err := c.DescribeTaskDefinition(ctx, &ecssdk.DescribeTaskDefinitionInput{TaskDefinition: aws.String(second)})
	if err != nil || d2.TaskDefinition.Status != ecstypes.TaskDefinitionStatusInactive {
		t.Fatalf("web:2 after restart: %v %v", d2, err)
	}
	third, err := c.RegisterTaskDefinition(ctx, &ecssdk.RegisterTaskDefinitionInput{Family: aws.String("web"), ContainerDefinitions: []ecstypes.ContainerDefinition{e.container("main", "true")}})
	if err != nil || third.TaskDefinition.Revision != 3 {
		t.Fatalf("next revision after restart: %v %v", third, err)
	}
	list, err := c.ListTaskDefinitions(ctx, &ecssdk.ListTaskDefinitionsInput{FamilyPrefix: aws.String("web")})
	if err != nil || !slices.Equal(list.TaskDefinitionArns, []string{first, *third.TaskDefinition.TaskDefinitionArn}) {
		t.Errorf("ACTIVE web revisions %v %v", list, err)
	}
	tags, err := c.ListTagsForResource(ctx, &ecssdk.ListTagsForResourceInput{ResourceArn: aws.String(clusterARN)})
	if err != nil || len(tags.Tags) != 1 || *tags.Tags[0].Value != "infra" {
		t.Errorf("cluster tags after restart %v %v", tags, err)
	}
	clusters, err := c.DescribeClusters(ctx, &ecssdk.DescribeClustersInput{Clusters: []string{ecsCluster, "gone"}})
	if err != nil || len(clusters.Clusters) != 1 || *clusters.Clusters[0].Status != "ACTIVE" || len(clusters.Failures) != 1 || *clusters.Failures[0].Reason != "MISSING" {
		t.Fatalf("DescribeClusters %+v %v", clusters, err)
	}
	if _, err := c.DeleteCluster(ctx, &ecssdk.DeleteClusterInput{Cluster: aws.String(ecsCluster)}); err != nil {
		t.Fatal(err)
	}
	all, err := c.ListClusters(ctx, &ecssdk.ListClustersInput{})
	if err != nil || len(all.ClusterArns) != 0 {
		t.Errorf("clusters after delete %v %v", all, err)
	}
	_, err = c.ListTagsForResource(ctx, &ecssdk.ListTagsForResourceInput{ResourceArn: aws.String(clusterARN)})
	var nf *ecstypes.ClusterNotFoundException
	if !errors.As(err, &nf) {
		t.Errorf("tags of a deleted cluster: %v", err)
	}
}
