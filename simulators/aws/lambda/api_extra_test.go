package lambda_test

import (
	"context"
	"errors"
	"maps"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awslambda "github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/smithy-go"

	"github.com/sockerless/sockerless/simulators/aws/server"
)

// TestTags covers ListTags, TagResource and UntagResource on a function
// created with tags, and that GetFunction reports the same tags (the
// Terraform provider reads them from there).
func TestTags(t *testing.T) {
	t.Parallel()
	_, c := start(t, server.Config{})
	ctx := context.Background()
	out, err := c.CreateFunction(ctx, &awslambda.CreateFunctionInput{
		FunctionName: aws.String("tagged"), Runtime: types.RuntimeProvidedal2023, Role: aws.String(role),
		Handler: aws.String("bootstrap"), Code: &types.FunctionCode{ZipFile: codeZip(t, "v1")},
		Tags: map[string]string{"team": "a"},
	})
	if err != nil {
		t.Fatal(err)
	}
	arn := out.FunctionArn
	missing := aws.String("arn:aws:lambda:us-east-1:000000000000:function:nope")
	for _, tc := range []struct {
		name     string
		call     func() error
		wantCode string
		want     map[string]string
	}{
		{"tags from CreateFunction", func() error { return nil }, "", map[string]string{"team": "a"}},
		{"TagResource adds and overwrites", func() error {
			_, err := c.TagResource(ctx, &awslambda.TagResourceInput{Resource: arn, Tags: map[string]string{"team": "b", "env": "sim"}})
			return err
		}, "", map[string]string{"team": "b", "env": "sim"}},
		{"UntagResource removes", func() error {
			_, err := c.UntagResource(ctx, &awslambda.UntagResourceInput{Resource: arn, TagKeys: []string{"team", "absent"}})
			return err
		}, "", map[string]string{"env": "sim"}},
		{"reserved aws: prefix", func() error {
			_, err := c.TagResource(ctx, &awslambda.TagResourceInput{Resource: arn, Tags: map[string]string{"aws:x": "1"}})
			return err
		}, "InvalidParameterValueException", map[string]string{"env": "sim"}},
		{"TagResource on a missing function", func() error {
			_, err := c.TagResource(ctx, &awslambda.TagResourceInput{Resource: missing, Tags: map[string]string{"k": "v"}})
			return err
		}, "ResourceNotFoundException", map[string]string{"env": "sim"}},
		{"ListTags on a missing function", func() error {
			_, err := c.ListTags(ctx, &awslambda.ListTagsInput{Resource: missing})
			return err
		}, "ResourceNotFoundException", map[string]string{"env": "sim"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := code(tc.call()); got != tc.wantCode {
				t.Fatalf("error = %q, want %q", got, tc.wantCode)
			}
			listed, err := c.ListTags(ctx, &awslambda.ListTagsInput{Resource: arn})
			if err != nil {
				t.Fatal(err)
			}
			got, err := c.GetFunction(ctx, &awslambda.GetFunctionInput{FunctionName: aws.String("tagged")})
			if err != nil {
				t.Fatal(err)
			}
			if !maps.Equal(listed.Tags, tc.want) || !maps.Equal(got.Tags, tc.want) {
				t.Errorf("ListTags %v, GetFunction tags %v; want %v", listed.Tags, got.Tags, tc.want)
			}
		})
	}
}

// TestReadSideOperations covers what the Terraform provider reads about a
// function besides its configuration: its versions ($LATEST only, as
// publishing is not simulated), its code signing config (none) and its
// reserved concurrency (none), and ResourceNotFoundException for each on
// a missing function.
func TestReadSideOperations(t *testing.T) {
	t.Parallel()
	_, c := start(t, server.Config{})
	ctx := context.Background()
	create(t, c, "fn", 3, nil)

	versions, err := c.ListVersionsByFunction(ctx, &awslambda.ListVersionsByFunctionInput{FunctionName: aws.String("fn"), MaxItems: aws.Int32(50)})
	if err != nil {
		t.Fatal(err)
	}
	if len(versions.Versions) != 1 || aws.ToString(versions.Versions[0].Version) != "$LATEST" || versions.NextMarker != nil {
		t.Errorf("versions = %+v", versions.Versions)
	}
	csc, err := c.GetFunctionCodeSigningConfig(ctx, &awslambda.GetFunctionCodeSigningConfigInput{FunctionName: aws.String("fn")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(csc.CodeSigningConfigArn) != "" || aws.ToString(csc.FunctionName) != "fn" {
		t.Errorf("code signing config = %q for %q", aws.ToString(csc.CodeSigningConfigArn), aws.ToString(csc.FunctionName))
	}
	conc, err := c.GetFunctionConcurrency(ctx, &awslambda.GetFunctionConcurrencyInput{FunctionName: aws.String("fn")})
	if err != nil {
		t.Fatal(err)
	}
	if conc.ReservedConcurrentExecutions != nil {
		t.Errorf("reserved concurrency = %d, want none", *conc.ReservedConcurrentExecutions)
	}

	for name, call := range map[string]func() error{
		"ListVersionsByFunction": func() error {
			_, err := c.ListVersionsByFunction(ctx, &awslambda.ListVersionsByFunctionInput{FunctionName: aws.String("nope")})
			return err
		},
		"GetFunctionCodeSigningConfig": func() error {
			_, err := c.GetFunctionCodeSigningConfig(ctx, &awslambda.GetFunctionCodeSigningConfigInput{FunctionName: aws.String("nope")})
			return err
		},
		"GetFunctionConcurrency": func() error {
			_, err := c.GetFunctionConcurrency(ctx, &awslambda.GetFunctionConcurrencyInput{FunctionName: aws.String("nope")})
			return err
		},
	} {
		if got := code(call()); got != "ResourceNotFoundException" {
			t.Errorf("%s of a missing function: %q", name, got)
		}
	}
}

// code is the wire error code the SDK saw ("" for success).
func code(err error) string {
	if err == nil {
		return ""
	}
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return "non-API error: " + err.Error()
}
