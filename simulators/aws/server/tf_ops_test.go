package server

import (
	"context"
	"maps"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	logtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	ecrtypes "github.com/aws/aws-sdk-go-v2/service/ecr/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
)

// tagCase is one step of a tagging scenario: a call, the error code it
// must give, and the tags the resource must then have.
type tagCase struct {
	name     string
	call     func(ctx context.Context) error
	wantCode string
	want     map[string]string
}

func runTagCases(t *testing.T, list func(ctx context.Context) (map[string]string, error), cases []tagCase) {
	t.Helper()
	ctx := context.Background()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := errorCode(tc.call(ctx)); got != tc.wantCode {
				t.Fatalf("error = %q, want %q", got, tc.wantCode)
			}
			got, err := list(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if !maps.Equal(got, tc.want) {
				t.Errorf("tags = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestECRTags(t *testing.T) {
	srv := startServer(t, Config{})
	c := newOpsClients(t, srv.URL())
	repo, err := c.ecr.CreateRepository(context.Background(), &ecr.CreateRepositoryInput{
		RepositoryName: aws.String("tagged"), Tags: []ecrtypes.Tag{{Key: aws.String("team"), Value: aws.String("a")}},
	})
	if err != nil {
		t.Fatal(err)
	}
	arn := repo.Repository.RepositoryArn
	missing := aws.String("arn:aws:ecr:us-east-1:000000000000:repository/nope")
	list := func(ctx context.Context) (map[string]string, error) {
		out, err := c.ecr.ListTagsForResource(ctx, &ecr.ListTagsForResourceInput{ResourceArn: arn})
		if err != nil {
			return nil, err
		}
		m := map[string]string{}
		for _, tg := range out.Tags {
			m[*tg.Key] = *tg.Value
		}
		return m, nil
	}
	runTagCases(t, list, []tagCase{
		{"tags from CreateRepository", func(context.Context) error { return nil }, "", map[string]string{"team": "a"}},
		{"TagResource adds and overwrites", func(ctx context.Context) error {
			_, err := c.ecr.TagResource(ctx, &ecr.TagResourceInput{ResourceArn: arn, Tags: []ecrtypes.Tag{{Key: aws.String("team"), Value: aws.String("b")}, {Key: aws.String("env"), Value: aws.String("sim")}}})
			return err
		}, "", map[string]string{"team": "b", "env": "sim"}},
		{"UntagResource removes", func(ctx context.Context) error {
			_, err := c.ecr.UntagResource(ctx, &ecr.UntagResourceInput{ResourceArn: arn, TagKeys: []string{"team"}})
			return err
		}, "", map[string]string{"env": "sim"}},
		{"reserved aws: prefix", func(ctx context.Context) error {
			_, err := c.ecr.TagResource(ctx, &ecr.TagResourceInput{ResourceArn: arn, Tags: []ecrtypes.Tag{{Key: aws.String("aws:x"), Value: aws.String("1")}}})
			return err
		}, "InvalidTagParameterException", map[string]string{"env": "sim"}},
		{"missing repository", func(ctx context.Context) error {
			_, err := c.ecr.ListTagsForResource(ctx, &ecr.ListTagsForResourceInput{ResourceArn: missing})
			return err
		}, "RepositoryNotFoundException", map[string]string{"env": "sim"}},
		{"not a repository ARN", func(ctx context.Context) error {
			_, err := c.ecr.TagResource(ctx, &ecr.TagResourceInput{ResourceArn: aws.String("arn:aws:s3:::bucket"), Tags: []ecrtypes.Tag{{Key: aws.String("k"), Value: aws.String("v")}}})
			return err
		}, "InvalidParameterException", map[string]string{"env": "sim"}},
	})
}

func TestLogsTagsAndClass(t *testing.T) {
	srv := startServer(t, Config{})
	c := newOpsClients(t, srv.URL())
	ctx := context.Background()
	_, err := c.logs.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{
		LogGroupName: aws.String("/tagged"), LogGroupClass: logtypes.LogGroupClassInfrequentAccess, Tags: map[string]string{"team": "a"},
	})
	if err != nil {
		t.Fatal(err)
	}
	groups, err := c.logs.DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String("/tagged")})
	if err != nil || len(groups.LogGroups) != 1 {
		t.Fatalf("DescribeLogGroups: %v, %v", groups, err)
	}
	if g := groups.LogGroups[0]; g.LogGroupClass != logtypes.LogGroupClassInfrequentAccess {
		t.Errorf("class = %s, want INFREQUENT_ACCESS", g.LogGroupClass)
	}
	_, err = c.logs.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String("/delivery"), LogGroupClass: logtypes.LogGroupClassDelivery})
	if got := errorCode(err); got != "InvalidParameterException" {
		t.Errorf("DELIVERY class: %q, want InvalidParameterException", got)
	}
	arn := groups.LogGroups[0].LogGroupArn
	list := func(ctx context.Context) (map[string]string, error) {
		out, err := c.logs.ListTagsForResource(ctx, &cloudwatchlogs.ListTagsForResourceInput{ResourceArn: arn})
		if err != nil {
			return nil, err
		}
		return out.Tags, nil
	}
	runTagCases(t, list, []tagCase{
		{"tags from CreateLogGroup", func(context.Context) error { return nil }, "", map[string]string{"team": "a"}},
		{"TagResource adds and overwrites", func(ctx context.Context) error {
			_, err := c.logs.TagResource(ctx, &cloudwatchlogs.TagResourceInput{ResourceArn: arn, Tags: map[string]string{"team": "b", "env": "sim"}})
			return err
		}, "", map[string]string{"team": "b", "env": "sim"}},
		{"UntagResource removes", func(ctx context.Context) error {
			_, err := c.logs.UntagResource(ctx, &cloudwatchlogs.UntagResourceInput{ResourceArn: arn, TagKeys: []string{"team"}})
			return err
		}, "", map[string]string{"env": "sim"}},
		{"ARN with the :* suffix names the same group", func(ctx context.Context) error {
			_, err := c.logs.TagResource(ctx, &cloudwatchlogs.TagResourceInput{ResourceArn: aws.String(*arn + ":*"), Tags: map[string]string{"x": "1"}})
			return err
		}, "", map[string]string{"env": "sim", "x": "1"}},
		{"missing group", func(ctx context.Context) error {
			_, err := c.logs.ListTagsForResource(ctx, &cloudwatchlogs.ListTagsForResourceInput{ResourceArn: aws.String("arn:aws:logs:us-east-1:000000000000:log-group:/nope")})
			return err
		}, "ResourceNotFoundException", map[string]string{"env": "sim", "x": "1"}},
	})
}

func TestIAMRoleTagsAndInstanceProfiles(t *testing.T) {
	srv := startServer(t, Config{})
	c := newOpsClients(t, srv.URL())
	ctx := context.Background()
	_, err := c.iam.CreateRole(ctx, &iam.CreateRoleInput{
		RoleName: aws.String("tagged"), AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`),
		Tags: []iamtypes.Tag{{Key: aws.String("team"), Value: aws.String("a")}},
	})
	if err != nil {
		t.Fatal(err)
	}
	profiles, err := c.iam.ListInstanceProfilesForRole(ctx, &iam.ListInstanceProfilesForRoleInput{RoleName: aws.String("tagged")})
	if err != nil || len(profiles.InstanceProfiles) != 0 || profiles.IsTruncated {
		t.Errorf("ListInstanceProfilesForRole = %+v, %v; want none", profiles, err)
	}
	_, err = c.iam.ListInstanceProfilesForRole(ctx, &iam.ListInstanceProfilesForRoleInput{RoleName: aws.String("nope")})
	if got := errorCode(err); got != "NoSuchEntity" {
		t.Errorf("ListInstanceProfilesForRole of a missing role: %q", got)
	}
	name := aws.String("tagged")
	list := func(ctx context.Context) (map[string]string, error) {
		out, err := c.iam.ListRoleTags(ctx, &iam.ListRoleTagsInput{RoleName: name})
		if err != nil {
			return nil, err
		}
		m := map[string]string{}
		for _, tg := range out.Tags {
			m[*tg.Key] = *tg.Value
		}
		return m, nil
	}
	runTagCases(t, list, []tagCase{
		{"tags from CreateRole", func(context.Context) error { return nil }, "", map[string]string{"team": "a"}},
		{"TagRole adds and overwrites", func(ctx context.Context) error {
			_, err := c.iam.TagRole(ctx, &iam.TagRoleInput{RoleName: name, Tags: []iamtypes.Tag{{Key: aws.String("team"), Value: aws.String("b")}, {Key: aws.String("env"), Value: aws.String("sim")}}})
			return err
		}, "", map[string]string{"team": "b", "env": "sim"}},
		{"UntagRole removes", func(ctx context.Context) error {
			_, err := c.iam.UntagRole(ctx, &iam.UntagRoleInput{RoleName: name, TagKeys: []string{"team"}})
			return err
		}, "", map[string]string{"env": "sim"}},
		{"TagRole on a missing role", func(ctx context.Context) error {
			_, err := c.iam.TagRole(ctx, &iam.TagRoleInput{RoleName: aws.String("nope"), Tags: []iamtypes.Tag{{Key: aws.String("k"), Value: aws.String("v")}}})
			return err
		}, "NoSuchEntity", map[string]string{"env": "sim"}},
	})
	role, err := c.iam.GetRole(ctx, &iam.GetRoleInput{RoleName: name})
	if err != nil || len(role.Role.Tags) != 1 || *role.Role.Tags[0].Key != "env" {
		t.Errorf("GetRole tags = %+v, %v", role.Role.Tags, err)
	}
}

// TestIAMGetUser: the simulator's credentials are the account root's, so
// GetUser without a name is the root user (the provider reads the account
// id from its ARN); named users are not simulated.
func TestIAMGetUser(t *testing.T) {
	srv := startServer(t, Config{AccountID: "123456789012"})
	c := newOpsClients(t, srv.URL())
	ctx := context.Background()
	out, err := c.iam.GetUser(ctx, &iam.GetUserInput{})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(out.User.Arn) != "arn:aws:iam::123456789012:root" || aws.ToString(out.User.UserId) != "123456789012" {
		t.Errorf("user = %+v", out.User)
	}
	_, err = c.iam.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("alice")})
	if got := errorCode(err); got != "NoSuchEntity" {
		t.Errorf("named user: %q, want NoSuchEntity", got)
	}
}
