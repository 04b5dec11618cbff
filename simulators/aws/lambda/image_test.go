package lambda_test

import (
	"archive/tar"
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	awslambda "github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/tarball"

	"github.com/sockerless/sockerless/simulators/aws/server"
)

// functionImage is echofn as a container image: the bootstrap and a
// version.txt in /var/task, and ENTRYPOINT ["/var/task/bootstrap"].
func functionImage(t *testing.T, version string) v1.Image {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, d := range []string{"var/", "var/task/"} {
		tw.WriteHeader(&tar.Header{Name: d, Typeflag: tar.TypeDir, Mode: 0o755})
	}
	for _, f := range []zipEntry{{"var/task/bootstrap", 0o755, bootstrap}, {"var/task/version.txt", 0o644, []byte(version)}} {
		tw.WriteHeader(&tar.Header{Name: f.name, Typeflag: tar.TypeReg, Mode: int64(f.mode), Size: int64(len(f.data))})
		tw.Write(f.data)
	}
	tw.Close()
	layer, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(buf.Bytes())), nil })
	if err != nil {
		t.Fatal(err)
	}
	img, err := mutate.AppendLayers(empty.Image, layer)
	if err != nil {
		t.Fatal(err)
	}
	img, err = mutate.Config(img, v1.Config{Entrypoint: []string{"/var/task/bootstrap"}, Env: []string{"GREETING=from-image"}})
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// push uploads img to the simulator's ECR as repo:tag, logged in with an
// ECR token as docker login would be, and returns its repositoryUri:tag.
func push(t *testing.T, e *ecr.Client, repoURI, tag string, img v1.Image) string {
	t.Helper()
	out, err := e.GetAuthorizationToken(context.Background(), &ecr.GetAuthorizationTokenInput{})
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := base64.StdEncoding.DecodeString(*out.AuthorizationData[0].AuthorizationToken)
	user, pass, _ := strings.Cut(string(raw), ":")
	ref, err := name.ParseReference(repoURI+":"+tag, name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(ref, img, remote.WithAuth(&authn.Basic{Username: user, Password: pass})); err != nil {
		t.Fatal(err)
	}
	return ref.String()
}

func TestImageFunction(t *testing.T) {
	srv, c := start(t, server.Config{})
	ctx := context.Background()
	e := ecr.NewFromConfig(awsConfig(t, srv.URL(), "test"))
	repo, err := e.CreateRepository(ctx, &ecr.CreateRepositoryInput{RepositoryName: aws.String("fn")})
	if err != nil {
		t.Fatal(err)
	}
	img1 := functionImage(t, "img-v1")
	uri1 := push(t, e, *repo.Repository.RepositoryUri, "v1", img1)
	uri2 := push(t, e, *repo.Repository.RepositoryUri, "v2", functionImage(t, "img-v2"))
	digest1, _ := img1.Digest()

	createImage := func(fn, uri string, ic *types.ImageConfig) (*awslambda.CreateFunctionOutput, error) {
		return c.CreateFunction(ctx, &awslambda.CreateFunctionInput{
			FunctionName: aws.String(fn), PackageType: types.PackageTypeImage, Role: aws.String(role),
			Code: &types.FunctionCode{ImageUri: aws.String(uri)}, ImageConfig: ic,
			Environment: &types.Environment{Variables: map[string]string{"OTHER": "x"}},
		})
	}
	out, err := createImage("img", uri1, nil)
	if err != nil {
		t.Fatal(err)
	}
	if out.PackageType != types.PackageTypeImage || *out.CodeSha256 != digest1.Hex || out.Runtime != "" {
		t.Fatalf("created %+v", out)
	}
	got, err := c.GetFunction(ctx, &awslambda.GetFunctionInput{FunctionName: aws.String("img")})
	if err != nil {
		t.Fatal(err)
	}
	if *got.Code.RepositoryType != "ECR" || *got.Code.ImageUri != uri1 || !strings.HasSuffix(*got.Code.ResolvedImageUri, "/fn@"+digest1.String()) {
		t.Fatalf("code %+v", got.Code)
	}
	r := decodeReply(t, invoke(t, c, "img", map[string]any{"op": "echo", "value": "hi"}))
	if r.Value != "hi" || r.Version != "img-v1" || r.Env != "from-image" {
		t.Fatalf("reply %+v", r)
	}

	// New code: the next invocation runs the other image.
	if _, err := c.UpdateFunctionCode(ctx, &awslambda.UpdateFunctionCodeInput{FunctionName: aws.String("img"), ImageUri: aws.String(uri2)}); err != nil {
		t.Fatal(err)
	}
	if r := decodeReply(t, invoke(t, c, "img", map[string]any{"op": "echo"})); r.Version != "img-v2" {
		t.Fatalf("after update: %+v", r)
	}

	// ImageConfig overrides: a relative entry point from another working
	// directory, and one that is not in the image.
	if _, err := createImage("override", uri1, &types.ImageConfig{EntryPoint: []string{"task/bootstrap"}, WorkingDirectory: aws.String("/var")}); err != nil {
		t.Fatal(err)
	}
	if r := decodeReply(t, invoke(t, c, "override", map[string]any{"op": "echo"})); r.Version != "img-v1" {
		t.Fatalf("override: %+v", r)
	}
	if _, err := createImage("noentry", uri1, &types.ImageConfig{EntryPoint: []string{"/var/task/missing"}}); err != nil {
		t.Fatal(err)
	}
	if out := invoke(t, c, "noentry", map[string]any{}); out.FunctionError == nil || !strings.Contains(string(out.Payload), "Runtime.InvalidEntrypoint") {
		t.Fatalf("missing entry point: %s", out.Payload)
	}

	var ip *types.InvalidParameterValueException
	for _, tc := range []struct {
		name string
		call func() error
		want string
	}{
		{"missing tag", func() error { _, err := createImage("nope", *repo.Repository.RepositoryUri+":v9", nil); return err }, "does not exist. Provide a valid source image."},
		{"missing repository", func() error { _, err := createImage("nope", srv.URL()[len("http://"):]+"/ghost:v1", nil); return err }, "does not exist"},
		{"zip code for an image function", func() error {
			_, err := c.UpdateFunctionCode(ctx, &awslambda.UpdateFunctionCodeInput{FunctionName: aws.String("img"), ZipFile: codeZip(t, "v1")})
			return err
		}, "Please provide ImageUri"},
		{"image for a zip function", func() error {
			create(t, c, "zipfn", 3, nil)
			_, err := c.UpdateFunctionCode(ctx, &awslambda.UpdateFunctionCodeInput{FunctionName: aws.String("zipfn"), ImageUri: aws.String(uri1)})
			return err
		}, "Please don't provide ImageUri"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			if !errors.As(err, &ip) || !strings.Contains(*ip.Message, tc.want) {
				t.Fatalf("got %v, want InvalidParameterValueException containing %q", err, tc.want)
			}
		})
	}
}

// An image function and a function URL survive a restart on a new port:
// the image is pulled from the registry's new address and the URL keeps
// its id under the new one.
func TestImageAndURLSurviveRestart(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	s, c := start(t, server.Config{DataDir: dir})
	e := ecr.NewFromConfig(awsConfig(t, s.URL(), "test"))
	repo, err := e.CreateRepository(ctx, &ecr.CreateRepositoryInput{RepositoryName: aws.String("fn")})
	if err != nil {
		t.Fatal(err)
	}
	uri := push(t, e, *repo.Repository.RepositoryUri, "v1", functionImage(t, "durable"))
	if _, err := c.CreateFunction(ctx, &awslambda.CreateFunctionInput{
		FunctionName: aws.String("img"), PackageType: types.PackageTypeImage, Role: aws.String(role),
		Code: &types.FunctionCode{ImageUri: aws.String(uri)},
	}); err != nil {
		t.Fatal(err)
	}
	u, err := c.CreateFunctionUrlConfig(ctx, &awslambda.CreateFunctionUrlConfigInput{FunctionName: aws.String("img"), AuthType: types.FunctionUrlAuthTypeNone})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s2, c := start(t, server.Config{DataDir: dir})
	if r := decodeReply(t, invoke(t, c, "img", map[string]any{"op": "echo"})); r.Version != "durable" {
		t.Fatalf("after restart: %+v", r)
	}
	u2, err := c.GetFunctionUrlConfig(ctx, &awslambda.GetFunctionUrlConfigInput{FunctionName: aws.String("img")})
	if err != nil {
		t.Fatal(err)
	}
	id := (*u.FunctionUrl)[strings.Index(*u.FunctionUrl, "/lambda-url/"):]
	if *u2.FunctionUrl != s2.URL()+id {
		t.Fatalf("URL %s after restart, was %s", *u2.FunctionUrl, *u.FunctionUrl)
	}
	// echofn does not return the URL response shape: its reply is the
	// 200 application/json body.
	r := do(t, newRequest(t, "GET", *u2.FunctionUrl, nil, nil))
	if r.status != 200 || !strings.Contains(string(r.body), `"version":"durable"`) {
		t.Fatalf("URL after restart: %d %s", r.status, r.body)
	}
}
