package server

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cwl "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/sockerless/sockerless/simulators/aws/logs"
)

// TestOpsStateSurvivesRestart writes logs, IAM records and an image
// through one server and reads them back through a second one on the same
// data directory (and a different port).
func TestOpsStateSurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	first, err := New(Config{Addr: "127.0.0.1:0", DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if err := first.Start(); err != nil {
		t.Fatal(err)
	}
	c := newOpsClients(t, first.URL())
	now := time.Now().Truncate(time.Millisecond)
	if err := first.Logs().Append("us-east-1", "/ecs/app", "web/1", logs.Event{Timestamp: now, Message: "second"}, logs.Event{Timestamp: now.Add(-time.Second), Message: "first"}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.iam.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("kept"), AssumeRolePolicyDocument: aws.String(trustPolicy)}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.iam.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("kept"), PolicyName: aws.String("p"), PolicyDocument: aws.String(logsPolicy)}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.ecr.CreateRepository(ctx, &ecr.CreateRepositoryInput{RepositoryName: aws.String("app")}); err != nil {
		t.Fatal(err)
	}
	img, _ := random.Image(256, 1)
	want, _ := img.Digest()
	auth, _, err := registryLogin(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(imageRef(t, strings.TrimPrefix(first.URL(), "http://")+"/app:v1"), img, remote.WithAuth(auth)); err != nil {
		t.Fatal(err)
	}
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}

	second := startServer(t, Config{DataDir: dir})
	c = newOpsClients(t, second.URL())
	out, err := c.logs.GetLogEvents(ctx, &cwl.GetLogEventsInput{LogGroupName: aws.String("/ecs/app"), LogStreamName: aws.String("web/1"), StartFromHead: aws.Bool(true)})
	if err != nil {
		t.Fatal(err)
	}
	wantStrings(t, messages(out.Events), []string{"first", "second"})
	rp, err := c.iam.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: aws.String("kept"), PolicyName: aws.String("p")})
	if err != nil || unescaped(t, rp.PolicyDocument) != logsPolicy {
		t.Fatalf("role policy after restart: %+v, %v", rp, err)
	}
	repos, err := c.ecr.DescribeRepositories(ctx, &ecr.DescribeRepositoriesInput{})
	host := strings.TrimPrefix(second.URL(), "http://")
	if err != nil || len(repos.Repositories) != 1 || *repos.Repositories[0].RepositoryUri != host+"/app" {
		t.Fatalf("repositories after restart: %+v, %v", repos, err)
	}
	// A token from before the restart still works: its key is persisted.
	got, err := remote.Image(imageRef(t, host+"/app:v1"), remote.WithAuth(auth))
	if err != nil {
		t.Fatal(err)
	}
	if d, _ := got.Digest(); d != want {
		t.Fatalf("digest after restart %s, want %s", d, want)
	}
	layers, _ := got.Layers()
	if _, err := layers[0].Compressed(); err != nil {
		t.Fatalf("layer after restart: %v", err)
	}
}
