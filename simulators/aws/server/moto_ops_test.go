package server

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
)

// opsMotoNotes records, for steps known to differ, which side AWS's
// documentation supports.
var opsMotoNotes = map[string]string{
	"logs/bad group name":                        "AWS's API reference constrains logGroupName to [\\.\\-_/#A-Za-z0-9]+; moto accepts any name",
	"logs/describe groups pages":                 "follows from moto accepting the invalid name above",
	"logs/page backward":                         "moto rejects the nextBackwardToken it issued itself; AWS documents paging backward with it",
	"logs/filter ":                               filterOrderNote,
	"logs/filter ERROR":                          filterOrderNote,
	"logs/filter ERROR disk":                     filterOrderNote,
	"logs/filter pages in stream and time order": filterOrderNote,
	"logs/filter ERROR -\"gave up\"":             "AWS's filter pattern syntax excludes terms prefixed with -; moto does not implement it",
	"logs/filter ?WARN ?retrying":                "AWS's filter pattern syntax matches any of the ?terms; moto matches everything",
	"logs/filter JSON pattern is refused":        "ours: JSON and space-delimited patterns are not simulated and say so (InvalidParameterException); moto ignores the pattern",
	"logs/bad retention":                         "AWS's API reference lists the allowed retentionInDays values; moto accepts 8",
	"iam/create role again, other case":          "AWS: role names are not distinguished by case (CreateRole reference); moto creates a second role",
	"iam/create role with bad document":          "AWS answers MalformedPolicyDocument for invalid JSON; moto stores it",
	"iam/create policy twice":                    "AWS: policy names must be unique within the account (CreatePolicy reference), whatever the path; moto keys by ARN",
	"iam/attach two":                             "AWS has the managed policy AWSLambdaBasicExecutionRole; moto's catalogue lacks it here, ours accepts any arn:aws:iam::aws:policy/ ARN",
	"iam/detach both":                            "follows from the attach above",
	"iam/delete attached policy":                 "AWS answers DeleteConflict for a policy still attached (DeletePolicy reference); moto deletes it",
	"iam/delete role":                            "follows from the detach above",
	"iam/delete policy":                          "follows from moto having deleted it already",
}

const filterOrderNote = "AWS interleaves events from all streams in timestamp order (FilterLogEvents reference); moto returns them stream by stream"

// ecrControlScenario is the part of ECR that moto also serves (it has no
// registry): repositories and tokens.
func ecrControlScenario() []opsStep {
	return []opsStep{
		{"ECR CreateRepository", opsCall(func(ctx context.Context, c *opsClients) (*ecr.CreateRepositoryOutput, error) {
			return c.ecr.CreateRepository(ctx, &ecr.CreateRepositoryInput{RepositoryName: aws.String("diff/app")})
		}), nil},
		{"ECR CreateRepository twice", opsCall(func(ctx context.Context, c *opsClients) (*ecr.CreateRepositoryOutput, error) {
			return c.ecr.CreateRepository(ctx, &ecr.CreateRepositoryInput{RepositoryName: aws.String("diff/app")})
		}), nil},
		{"ECR DescribeRepositories missing", opsCall(func(ctx context.Context, c *opsClients) (*ecr.DescribeRepositoriesOutput, error) {
			return c.ecr.DescribeRepositories(ctx, &ecr.DescribeRepositoriesInput{RepositoryNames: []string{"ghost"}})
		}), nil},
		{"ECR DescribeRepositories", opsCall(func(ctx context.Context, c *opsClients) (*ecr.DescribeRepositoriesOutput, error) {
			return c.ecr.DescribeRepositories(ctx, &ecr.DescribeRepositoriesInput{})
		}), nil},
		{"ECR GetAuthorizationToken", opsCall(func(ctx context.Context, c *opsClients) (*ecr.GetAuthorizationTokenOutput, error) {
			return c.ecr.GetAuthorizationToken(ctx, &ecr.GetAuthorizationTokenInput{})
		}), nil},
		{"ECR DeleteRepository", opsCall(func(ctx context.Context, c *opsClients) (*ecr.DeleteRepositoryOutput, error) {
			return c.ecr.DeleteRepository(ctx, &ecr.DeleteRepositoryInput{RepositoryName: aws.String("diff/app")})
		}), nil},
		{"ECR DeleteRepository missing", opsCall(func(ctx context.Context, c *opsClients) (*ecr.DeleteRepositoryOutput, error) {
			return c.ecr.DeleteRepository(ctx, &ecr.DeleteRepositoryInput{RepositoryName: aws.String("diff/app")})
		}), nil},
	}
}

// TestMotoDiffOps is TestMotoDiff for CloudWatch Logs, IAM and ECR's
// control plane: the same scenarios against this simulator and moto, with
// every difference in error code, response fields or values logged (run
// with -v). Informational, like TestMotoDiff.
func TestMotoDiffOps(t *testing.T) {
	if testing.Short() {
		t.Skip("differential run skipped in -short mode")
	}
	motoURL, err := startMoto(t)
	if err != nil {
		t.Skipf("moto diff skipped: moto_server cannot start: %v", err)
	}
	ours := newOpsClients(t, startServer(t, Config{AccountID: "123456789012"}).URL())
	moto := newOpsClients(t, motoURL)
	ctx := context.Background()
	for _, sc := range []struct {
		name  string
		steps func() []opsStep
	}{
		{"logs", func() []opsStep { return logsScenario("123456789012") }},
		{"iam", iamScenario},
		{"ecr", ecrControlScenario},
	} {
		// Each side gets its own copy: steps carry state (tokens) between them.
		a, b := sc.steps(), sc.steps()
		passed, failed := 0, 0
		for i := range a {
			diffs := summarize(a[i].run(ctx, ours)).diff(summarize(b[i].run(ctx, moto)))
			if len(diffs) == 0 {
				passed++
				continue
			}
			failed++
			name := sc.name + "/" + a[i].name
			note := opsMotoNotes[name]
			if note != "" {
				note = " — " + note
			}
			t.Logf("moto diff %s: %s%s", name, strings.Join(diffs, "; "), note)
		}
		t.Logf("moto diff %s: %d passed, %d failed", sc.name, passed, failed)
	}
}
