package server

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
)

const (
	trustPolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	logsPolicy  = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["logs:PutLogEvents"],"Resource":"*"}]}`
	lambdaBasic = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
)

// unescaped decodes a policy document as IAM returns it, URL-encoded.
func unescaped(t *testing.T, doc *string) string {
	t.Helper()
	s, err := url.QueryUnescape(aws.ToString(doc))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func attachedArns(out *iam.ListAttachedRolePoliciesOutput) []string {
	arns := []string{}
	for _, p := range out.AttachedPolicies {
		arns = append(arns, *p.PolicyArn)
	}
	return arns
}

func TestIAMScenario(t *testing.T) {
	srv := startServer(t, Config{AccountID: "123456789012"})
	runOpsSteps(t, newOpsClients(t, srv.URL()), iamScenario())
}

// iamScenario is the IAM conformance scenario, for account 123456789012
// (moto's).
func iamScenario() []opsStep {
	role := aws.String("fn-role")
	policyArn := "arn:aws:iam::123456789012:policy/app/write-logs"
	steps := []opsStep{
		{"create role", opsCall(func(ctx context.Context, c *opsClients) (*iam.CreateRoleOutput, error) {
			return c.iam.CreateRole(ctx, &iam.CreateRoleInput{RoleName: role, Path: aws.String("/service/"), AssumeRolePolicyDocument: aws.String(trustPolicy),
				Description: aws.String("runs fn"), Tags: []iamtypes.Tag{{Key: aws.String("team"), Value: aws.String("core")}}})
		}), ok(func(t *testing.T, out *iam.CreateRoleOutput) {
			r := out.Role
			if *r.Arn != "arn:aws:iam::123456789012:role/service/fn-role" || !strings.HasPrefix(*r.RoleId, "AROA") || len(*r.RoleId) != 21 ||
				*r.Path != "/service/" || r.CreateDate == nil || unescaped(t, r.AssumeRolePolicyDocument) != trustPolicy || len(r.Tags) != 1 {
				t.Fatalf("role %+v", r)
			}
		})},
		{"create role again, other case", opsCall(func(ctx context.Context, c *opsClients) (*iam.CreateRoleOutput, error) {
			return c.iam.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("FN-ROLE"), AssumeRolePolicyDocument: aws.String(trustPolicy)})
		}), fails[*iamtypes.EntityAlreadyExistsException]()},
		{"create role with bad document", opsCall(func(ctx context.Context, c *opsClients) (*iam.CreateRoleOutput, error) {
			return c.iam.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("other"), AssumeRolePolicyDocument: aws.String("{not json")})
		}), fails[*iamtypes.MalformedPolicyDocumentException]()},
		{"get role", opsCall(func(ctx context.Context, c *opsClients) (*iam.GetRoleOutput, error) {
			return c.iam.GetRole(ctx, &iam.GetRoleInput{RoleName: role})
		}), ok(func(t *testing.T, out *iam.GetRoleOutput) {
			if *out.Role.RoleName != "fn-role" || aws.ToString(out.Role.Description) != "runs fn" || aws.ToInt32(out.Role.MaxSessionDuration) != 3600 {
				t.Fatalf("role %+v", out.Role)
			}
		})},
		{"get missing role", opsCall(func(ctx context.Context, c *opsClients) (*iam.GetRoleOutput, error) {
			return c.iam.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("ghost")})
		}), fails[*iamtypes.NoSuchEntityException]()},
		{"create policy", opsCall(func(ctx context.Context, c *opsClients) (*iam.CreatePolicyOutput, error) {
			return c.iam.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("write-logs"), Path: aws.String("/app/"), PolicyDocument: aws.String(logsPolicy)})
		}), ok(func(t *testing.T, out *iam.CreatePolicyOutput) {
			p := out.Policy
			if *p.Arn != policyArn || *p.DefaultVersionId != "v1" || !p.IsAttachable || !strings.HasPrefix(*p.PolicyId, "ANPA") {
				t.Fatalf("policy %+v", p)
			}
		})},
		{"create policy twice", opsCall(func(ctx context.Context, c *opsClients) (*iam.CreatePolicyOutput, error) {
			return c.iam.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("write-logs"), PolicyDocument: aws.String(logsPolicy)})
		}), fails[*iamtypes.EntityAlreadyExistsException]()},
		{"attach missing policy", opsCall(func(ctx context.Context, c *opsClients) (*iam.AttachRolePolicyOutput, error) {
			return c.iam.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: role, PolicyArn: aws.String("arn:aws:iam::123456789012:policy/nope")})
		}), fails[*iamtypes.NoSuchEntityException]()},
		{"attach to missing role", opsCall(func(ctx context.Context, c *opsClients) (*iam.AttachRolePolicyOutput, error) {
			return c.iam.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("ghost"), PolicyArn: &policyArn})
		}), fails[*iamtypes.NoSuchEntityException]()},
		{"attach two", opsCall(func(ctx context.Context, c *opsClients) (*iam.AttachRolePolicyOutput, error) {
			if _, err := c.iam.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: role, PolicyArn: &policyArn}); err != nil {
				return nil, err
			}
			return c.iam.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: role, PolicyArn: aws.String(lambdaBasic)})
		}), ok[*iam.AttachRolePolicyOutput](nil)},
		{"list attached", opsCall(func(ctx context.Context, c *opsClients) (*iam.ListAttachedRolePoliciesOutput, error) {
			return c.iam.ListAttachedRolePolicies(ctx, &iam.ListAttachedRolePoliciesInput{RoleName: role})
		}), ok(func(t *testing.T, out *iam.ListAttachedRolePoliciesOutput) {
			wantStrings(t, attachedArns(out), []string{policyArn, lambdaBasic}) // by ARN
			if *out.AttachedPolicies[1].PolicyName != "AWSLambdaBasicExecutionRole" || out.IsTruncated {
				t.Fatalf("attached %+v", out.AttachedPolicies)
			}
		})},
		{"list attached by path, paged", opsCall(func(ctx context.Context, c *opsClients) (*iam.ListAttachedRolePoliciesOutput, error) {
			return c.iam.ListAttachedRolePolicies(ctx, &iam.ListAttachedRolePoliciesInput{RoleName: role, PathPrefix: aws.String("/service-role/"), MaxItems: aws.Int32(1)})
		}), ok(func(t *testing.T, out *iam.ListAttachedRolePoliciesOutput) {
			wantStrings(t, attachedArns(out), []string{lambdaBasic})
		})},
		{"policy attachment count", opsCall(func(ctx context.Context, c *opsClients) (*iam.GetPolicyOutput, error) {
			return c.iam.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: &policyArn})
		}), ok(func(t *testing.T, out *iam.GetPolicyOutput) {
			if aws.ToInt32(out.Policy.AttachmentCount) != 1 {
				t.Fatalf("policy %+v", out.Policy)
			}
		})},
		{"policy version document", opsCall(func(ctx context.Context, c *opsClients) (*iam.GetPolicyVersionOutput, error) {
			return c.iam.GetPolicyVersion(ctx, &iam.GetPolicyVersionInput{PolicyArn: &policyArn, VersionId: aws.String("v1")})
		}), ok(func(t *testing.T, out *iam.GetPolicyVersionOutput) {
			if unescaped(t, out.PolicyVersion.Document) != logsPolicy || !out.PolicyVersion.IsDefaultVersion {
				t.Fatalf("version %+v", out.PolicyVersion)
			}
		})},
		{"delete attached policy", opsCall(func(ctx context.Context, c *opsClients) (*iam.DeletePolicyOutput, error) {
			return c.iam.DeletePolicy(ctx, &iam.DeletePolicyInput{PolicyArn: &policyArn})
		}), fails[*iamtypes.DeleteConflictException]()},
		{"put inline", opsCall(func(ctx context.Context, c *opsClients) (*iam.PutRolePolicyOutput, error) {
			return c.iam.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: role, PolicyName: aws.String("inline"), PolicyDocument: aws.String(logsPolicy)})
		}), ok[*iam.PutRolePolicyOutput](nil)},
		{"get inline", opsCall(func(ctx context.Context, c *opsClients) (*iam.GetRolePolicyOutput, error) {
			return c.iam.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: role, PolicyName: aws.String("inline")})
		}), ok(func(t *testing.T, out *iam.GetRolePolicyOutput) {
			if unescaped(t, out.PolicyDocument) != logsPolicy || *out.RoleName != "fn-role" {
				t.Fatalf("inline %+v", out)
			}
		})},
		{"get missing inline", opsCall(func(ctx context.Context, c *opsClients) (*iam.GetRolePolicyOutput, error) {
			return c.iam.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: role, PolicyName: aws.String("nope")})
		}), fails[*iamtypes.NoSuchEntityException]()},
		{"delete role with policies", opsCall(func(ctx context.Context, c *opsClients) (*iam.DeleteRoleOutput, error) {
			return c.iam.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: role})
		}), fails[*iamtypes.DeleteConflictException]()},
		{"detach both", opsCall(func(ctx context.Context, c *opsClients) (*iam.DetachRolePolicyOutput, error) {
			if _, err := c.iam.DetachRolePolicy(ctx, &iam.DetachRolePolicyInput{RoleName: role, PolicyArn: aws.String(lambdaBasic)}); err != nil {
				return nil, err
			}
			return c.iam.DetachRolePolicy(ctx, &iam.DetachRolePolicyInput{RoleName: role, PolicyArn: &policyArn})
		}), ok[*iam.DetachRolePolicyOutput](nil)},
		{"detach again", opsCall(func(ctx context.Context, c *opsClients) (*iam.DetachRolePolicyOutput, error) {
			return c.iam.DetachRolePolicy(ctx, &iam.DetachRolePolicyInput{RoleName: role, PolicyArn: &policyArn})
		}), fails[*iamtypes.NoSuchEntityException]()},
		{"delete role with inline policy", opsCall(func(ctx context.Context, c *opsClients) (*iam.DeleteRoleOutput, error) {
			return c.iam.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: role})
		}), fails[*iamtypes.DeleteConflictException]()},
		{"delete inline", opsCall(func(ctx context.Context, c *opsClients) (*iam.DeleteRolePolicyOutput, error) {
			return c.iam.DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{RoleName: role, PolicyName: aws.String("inline")})
		}), ok[*iam.DeleteRolePolicyOutput](nil)},
		{"delete role", opsCall(func(ctx context.Context, c *opsClients) (*iam.DeleteRoleOutput, error) {
			return c.iam.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: role})
		}), ok[*iam.DeleteRoleOutput](nil)},
		{"delete policy", opsCall(func(ctx context.Context, c *opsClients) (*iam.DeletePolicyOutput, error) {
			return c.iam.DeletePolicy(ctx, &iam.DeletePolicyInput{PolicyArn: &policyArn})
		}), ok[*iam.DeletePolicyOutput](nil)},
		{"get deleted policy", opsCall(func(ctx context.Context, c *opsClients) (*iam.GetPolicyOutput, error) {
			return c.iam.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: &policyArn})
		}), fails[*iamtypes.NoSuchEntityException]()},
		{"deleted role is gone", opsCall(func(ctx context.Context, c *opsClients) (*iam.ListRolesOutput, error) {
			return c.iam.ListRoles(ctx, &iam.ListRolesInput{})
		}), ok(func(t *testing.T, out *iam.ListRolesOutput) {
			if len(out.Roles) != 0 {
				t.Fatalf("roles %+v", out.Roles)
			}
		})},
	}
	return steps
}
