package lambda_test

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awslambda "github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/smithy-go"

	"github.com/sockerless/sockerless/simulators/aws/server"
)

func TestCreateGetList(t *testing.T) {
	t.Parallel()
	s, c := start(t, server.Config{AccountID: "123456789012"})
	ctx := context.Background()
	for _, name := range []string{"charlie", "alpha", "bravo"} {
		create(t, c, name, 5, nil)
	}
	zip := codeZip(t, "v1")
	sum := sha256.Sum256(zip)

	got, err := c.GetFunction(ctx, &awslambda.GetFunctionInput{FunctionName: aws.String("arn:aws:lambda:us-east-1:123456789012:function:alpha")})
	if err != nil {
		t.Fatal(err)
	}
	cfg := got.Configuration
	checks := map[string][2]any{
		"FunctionArn": {aws.ToString(cfg.FunctionArn), "arn:aws:lambda:us-east-1:123456789012:function:alpha"},
		"Runtime":     {cfg.Runtime, types.RuntimeProvidedal2023},
		"Timeout":     {aws.ToInt32(cfg.Timeout), int32(5)},
		"MemorySize":  {aws.ToInt32(cfg.MemorySize), int32(128)},
		"CodeSize":    {cfg.CodeSize, int64(len(zip))},
		"CodeSha256":  {aws.ToString(cfg.CodeSha256), base64.StdEncoding.EncodeToString(sum[:])},
		"State":       {cfg.State, types.StateActive},
		"Version":     {aws.ToString(cfg.Version), "$LATEST"},
		"PackageType": {cfg.PackageType, types.PackageTypeZip},
		"Role":        {aws.ToString(cfg.Role), role},
	}
	for field, v := range checks {
		if v[0] != v[1] {
			t.Errorf("%s = %v; want %v", field, v[0], v[1])
		}
	}

	var names []string
	var marker *string
	for page := 0; ; page++ {
		out, err := c.ListFunctions(ctx, &awslambda.ListFunctionsInput{MaxItems: aws.Int32(2), Marker: marker})
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range out.Functions {
			names = append(names, aws.ToString(f.FunctionName))
		}
		if marker = out.NextMarker; marker == nil || page > 3 {
			break
		}
	}
	if strings.Join(names, ",") != "alpha,bravo,charlie" {
		t.Errorf("ListFunctions pages = %v", names)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
}

// Error paths answer with the codes AWS uses, which the SDK turns into its
// typed errors.
func TestErrors(t *testing.T) {
	t.Parallel()
	s, c := start(t, server.Config{})
	ctx := context.Background()
	create(t, c, "exists", 3, nil)
	good := func() *awslambda.CreateFunctionInput {
		return &awslambda.CreateFunctionInput{
			FunctionName: aws.String("fresh"), Runtime: types.RuntimeProvidedal2, Role: aws.String(role),
			Handler: aws.String("bootstrap"), Code: &types.FunctionCode{ZipFile: codeZip(t, "v1")},
		}
	}
	cases := []struct {
		name string
		call func() error
		want any // pointer to the typed error, or a code string
	}{
		{"create twice is a conflict", func() error {
			in := good()
			in.FunctionName = aws.String("exists")
			_, err := c.CreateFunction(ctx, in)
			return err
		}, new(*types.ResourceConflictException)},
		{"unknown runtime", func() error {
			in := good()
			in.Runtime = "cobol85"
			_, err := c.CreateFunction(ctx, in)
			return err
		}, new(*types.InvalidParameterValueException)},
		{"code that is not a zip", func() error {
			in := good()
			in.Code.ZipFile = []byte("not a zip")
			_, err := c.CreateFunction(ctx, in)
			return err
		}, new(*types.InvalidParameterValueException)},
		{"reserved environment variable", func() error {
			in := good()
			in.Environment = &types.Environment{Variables: map[string]string{"AWS_REGION": "mars-1"}}
			_, err := c.CreateFunction(ctx, in)
			return err
		}, new(*types.InvalidParameterValueException)},
		{"timeout above 900 s", func() error {
			in := good()
			in.Timeout = aws.Int32(901)
			_, err := c.CreateFunction(ctx, in)
			return err
		}, "ValidationException"},
		{"get a missing function", func() error {
			_, err := c.GetFunction(ctx, &awslambda.GetFunctionInput{FunctionName: aws.String("missing")})
			return err
		}, new(*types.ResourceNotFoundException)},
		{"update a missing function", func() error {
			_, err := c.UpdateFunctionConfiguration(ctx, &awslambda.UpdateFunctionConfigurationInput{FunctionName: aws.String("missing"), Timeout: aws.Int32(5)})
			return err
		}, new(*types.ResourceNotFoundException)},
		{"stale revision id", func() error {
			_, err := c.UpdateFunctionConfiguration(ctx, &awslambda.UpdateFunctionConfigurationInput{FunctionName: aws.String("exists"), RevisionId: aws.String("stale"), Timeout: aws.Int32(5)})
			return err
		}, new(*types.PreconditionFailedException)},
		{"delete a missing function", func() error {
			_, err := c.DeleteFunction(ctx, &awslambda.DeleteFunctionInput{FunctionName: aws.String("missing")})
			return err
		}, new(*types.ResourceNotFoundException)},
		{"invoke a published version that does not exist", func() error {
			_, err := c.Invoke(ctx, &awslambda.InvokeInput{FunctionName: aws.String("exists"), Qualifier: aws.String("7")})
			return err
		}, new(*types.ResourceNotFoundException)},
		{"invoke with a payload that is not JSON", func() error {
			_, err := c.Invoke(ctx, &awslambda.InvokeInput{FunctionName: aws.String("exists"), Payload: []byte("{nope")})
			return err
		}, new(*types.InvalidRequestContentException)},
		{"wrong secret", func() error {
			_, err := client(t, s.URL(), "wrong").ListFunctions(ctx, &awslambda.ListFunctionsInput{})
			return err
		}, "InvalidSignatureException"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			switch want := tc.want.(type) {
			case string:
				var ae smithy.APIError
				if !errors.As(err, &ae) || ae.ErrorCode() != want {
					t.Fatalf("error %v; want code %s", err, want)
				}
			default:
				if !errors.As(err, want) {
					t.Fatalf("error %v (%T); want %T", err, err, want)
				}
			}
			var ae smithy.APIError
			if errors.As(err, &ae) && ae.ErrorMessage() == "" {
				t.Errorf("%s has no message", ae.ErrorCode())
			}
		})
	}
}
