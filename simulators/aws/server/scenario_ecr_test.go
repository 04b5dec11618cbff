package server

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	ecrtypes "github.com/aws/aws-sdk-go-v2/service/ecr/types"
	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
)

// registryLogin does what `aws ecr get-login-password | docker login`
// does: it turns GetAuthorizationToken's answer into basic credentials.
func registryLogin(ctx context.Context, c *opsClients) (authn.Authenticator, string, error) {
	out, err := c.ecr.GetAuthorizationToken(ctx, &ecr.GetAuthorizationTokenInput{})
	if err != nil {
		return nil, "", err
	}
	d := out.AuthorizationData[0]
	raw, err := base64.StdEncoding.DecodeString(*d.AuthorizationToken)
	if err != nil {
		return nil, "", err
	}
	user, pass, _ := strings.Cut(string(raw), ":")
	return &authn.Basic{Username: user, Password: pass}, *d.ProxyEndpoint, nil
}

func imageRef(t testing.TB, uri string) name.Reference {
	t.Helper()
	ref, err := name.ParseReference(uri, name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	return ref
}

// registryCode is the distribution API error code a client saw.
func registryCode(err error) string {
	var te *transport.Error
	if errors.As(err, &te) {
		if len(te.Errors) > 0 {
			return string(te.Errors[0].Code)
		}
		return "HTTP " + strconv.Itoa(te.StatusCode)
	}
	if err == nil {
		return ""
	}
	return err.Error()
}

func TestECRScenario(t *testing.T) {
	srv := startServer(t, Config{AccountID: "123456789012"})
	c := newOpsClients(t, srv.URL())
	host := strings.TrimPrefix(srv.URL(), "http://")
	img, err := random.Image(512, 2)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := img.Digest()
	img2, err := random.Image(512, 1)
	if err != nil {
		t.Fatal(err)
	}
	want2, _ := img2.Digest()
	var auth authn.Authenticator
	repo := aws.String("team/app")
	steps := []opsStep{
		{"create", opsCall(func(ctx context.Context, c *opsClients) (*ecr.CreateRepositoryOutput, error) {
			return c.ecr.CreateRepository(ctx, &ecr.CreateRepositoryInput{RepositoryName: repo})
		}), ok(func(t *testing.T, out *ecr.CreateRepositoryOutput) {
			r := out.Repository
			if *r.RepositoryArn != "arn:aws:ecr:us-east-1:123456789012:repository/team/app" || *r.RepositoryUri != host+"/team/app" ||
				*r.RegistryId != "123456789012" || r.ImageTagMutability != ecrtypes.ImageTagMutabilityMutable || r.CreatedAt == nil {
				t.Fatalf("repository %+v", r)
			}
		})},
		{"create twice", opsCall(func(ctx context.Context, c *opsClients) (*ecr.CreateRepositoryOutput, error) {
			return c.ecr.CreateRepository(ctx, &ecr.CreateRepositoryInput{RepositoryName: repo})
		}), fails[*ecrtypes.RepositoryAlreadyExistsException]()},
		{"bad name", opsCall(func(ctx context.Context, c *opsClients) (*ecr.CreateRepositoryOutput, error) {
			return c.ecr.CreateRepository(ctx, &ecr.CreateRepositoryInput{RepositoryName: aws.String("Team/App")})
		}), fails[*ecrtypes.InvalidParameterException]()},
		{"describe missing", opsCall(func(ctx context.Context, c *opsClients) (*ecr.DescribeRepositoriesOutput, error) {
			return c.ecr.DescribeRepositories(ctx, &ecr.DescribeRepositoriesInput{RepositoryNames: []string{"ghost"}})
		}), fails[*ecrtypes.RepositoryNotFoundException]()},
		{"describe all", opsCall(func(ctx context.Context, c *opsClients) (*ecr.DescribeRepositoriesOutput, error) {
			if _, err := c.ecr.CreateRepository(ctx, &ecr.CreateRepositoryInput{RepositoryName: aws.String("base")}); err != nil {
				return nil, err
			}
			return c.ecr.DescribeRepositories(ctx, &ecr.DescribeRepositoriesInput{})
		}), ok(func(t *testing.T, out *ecr.DescribeRepositoriesOutput) {
			if len(out.Repositories) != 2 || *out.Repositories[0].RepositoryName != "base" || *out.Repositories[1].RepositoryUri != host+"/team/app" {
				t.Fatalf("repositories %+v", out.Repositories)
			}
		})},
		{"token", opsCall(func(ctx context.Context, c *opsClients) (string, error) {
			a, endpoint, err := registryLogin(ctx, c)
			auth = a
			return endpoint, err
		}), ok(func(t *testing.T, endpoint string) {
			if endpoint != srv.URL() {
				t.Fatalf("proxyEndpoint %q, want %q", endpoint, srv.URL())
			}
		})},
		{"push without credentials", opsCall(func(ctx context.Context, c *opsClients) (string, error) {
			return registryCode(remote.Write(imageRef(t, host+"/team/app:v1"), img, remote.WithContext(ctx))), nil
		}), ok(func(t *testing.T, code string) {
			if code != "HTTP 401" { // the ping is refused before any upload
				t.Fatalf("code %q", code)
			}
		})},
		{"push with a forged password", opsCall(func(ctx context.Context, c *opsClients) (string, error) {
			forged := &authn.Basic{Username: "AWS", Password: "99999999999.00"}
			return registryCode(remote.Write(imageRef(t, host+"/team/app:v1"), img, remote.WithContext(ctx), remote.WithAuth(forged))), nil
		}), ok(func(t *testing.T, code string) {
			if code != "HTTP 401" { // a HEAD of the first blob is refused, without a body
				t.Fatalf("code %q", code)
			}
		})},
		{"push to a repository never created", opsCall(func(ctx context.Context, c *opsClients) (string, error) {
			return registryCode(remote.Write(imageRef(t, host+"/ghost:v1"), img, remote.WithContext(ctx), remote.WithAuth(auth))), nil
		}), ok(func(t *testing.T, code string) {
			if code != "NAME_UNKNOWN" {
				t.Fatalf("code %q", code)
			}
		})},
		{"push", opsCall(func(ctx context.Context, c *opsClients) (any, error) {
			return nil, remote.Write(imageRef(t, host+"/team/app:v1"), img, remote.WithContext(ctx), remote.WithAuth(auth))
		}), ok[any](nil)},
		{"pull", opsCall(func(ctx context.Context, c *opsClients) (v1.Hash, error) {
			got, err := remote.Image(imageRef(t, host+"/team/app:v1"), remote.WithContext(ctx), remote.WithAuth(auth))
			if err != nil {
				return v1.Hash{}, err
			}
			if _, err := got.RawConfigFile(); err != nil { // blobs really come back
				return v1.Hash{}, err
			}
			return got.Digest()
		}), ok(func(t *testing.T, got v1.Hash) {
			if got != want {
				t.Fatalf("digest %s, want %s", got, want)
			}
		})},
		{"list images", opsCall(func(ctx context.Context, c *opsClients) (*ecr.ListImagesOutput, error) {
			return c.ecr.ListImages(ctx, &ecr.ListImagesInput{RepositoryName: repo})
		}), ok(func(t *testing.T, out *ecr.ListImagesOutput) {
			if len(out.ImageIds) != 1 || *out.ImageIds[0].ImageTag != "v1" || *out.ImageIds[0].ImageDigest != want.String() {
				t.Fatalf("images %+v", out.ImageIds)
			}
		})},
		{"move the tag", opsCall(func(ctx context.Context, c *opsClients) (*ecr.ListImagesOutput, error) {
			if err := remote.Write(imageRef(t, host+"/team/app:v1"), img2, remote.WithContext(ctx), remote.WithAuth(auth)); err != nil {
				return nil, err
			}
			if _, err := remote.Image(imageRef(t, host+"/team/app@"+want.String()), remote.WithContext(ctx), remote.WithAuth(auth)); err != nil {
				return nil, fmt.Errorf("old image by digest: %w", err)
			}
			return c.ecr.ListImages(ctx, &ecr.ListImagesInput{RepositoryName: repo})
		}), ok(func(t *testing.T, out *ecr.ListImagesOutput) {
			var got []string
			for _, id := range out.ImageIds {
				got = append(got, aws.ToString(id.ImageTag)+"@"+*id.ImageDigest)
			}
			wantStrings(t, got, []string{"v1@" + want2.String(), "@" + want.String()})
		})},
		{"immutable tag", opsCall(func(ctx context.Context, c *opsClients) (string, error) {
			if _, err := c.ecr.CreateRepository(ctx, &ecr.CreateRepositoryInput{RepositoryName: aws.String("frozen"), ImageTagMutability: ecrtypes.ImageTagMutabilityImmutable}); err != nil {
				return "", err
			}
			if err := remote.Write(imageRef(t, host+"/frozen:v1"), img, remote.WithContext(ctx), remote.WithAuth(auth)); err != nil {
				return "", err
			}
			return registryCode(remote.Write(imageRef(t, host+"/frozen:v1"), img2, remote.WithContext(ctx), remote.WithAuth(auth))), nil
		}), ok(func(t *testing.T, code string) {
			if code != "TAG_INVALID" {
				t.Fatalf("code %q", code)
			}
		})},
		{"batch delete the last tag deletes the image", opsCall(func(ctx context.Context, c *opsClients) (string, error) {
			out, err := c.ecr.BatchDeleteImage(ctx, &ecr.BatchDeleteImageInput{RepositoryName: aws.String("frozen"),
				ImageIds: []ecrtypes.ImageIdentifier{{ImageTag: aws.String("v1")}, {ImageTag: aws.String("nosuch")}}})
			if err != nil {
				return "", err
			}
			if len(out.ImageIds) != 1 || aws.ToString(out.ImageIds[0].ImageTag) != "v1" || aws.ToString(out.ImageIds[0].ImageDigest) != want.String() {
				return "", fmt.Errorf("deleted %+v", out.ImageIds)
			}
			if len(out.Failures) != 1 || out.Failures[0].FailureCode != ecrtypes.ImageFailureCodeImageNotFound {
				return "", fmt.Errorf("failures %+v", out.Failures)
			}
			left, err := c.ecr.ListImages(ctx, &ecr.ListImagesInput{RepositoryName: aws.String("frozen")})
			if err != nil || len(left.ImageIds) != 0 {
				return "", fmt.Errorf("left %+v, %v", left, err)
			}
			_, err = remote.Image(imageRef(t, host+"/frozen@"+want.String()), remote.WithContext(ctx), remote.WithAuth(auth))
			return registryCode(err), nil
		}), ok(func(t *testing.T, code string) {
			if code != "MANIFEST_UNKNOWN" {
				t.Fatalf("the deleted image by digest: code %q", code)
			}
		})},
		{"delete non-empty", opsCall(func(ctx context.Context, c *opsClients) (*ecr.DeleteRepositoryOutput, error) {
			return c.ecr.DeleteRepository(ctx, &ecr.DeleteRepositoryInput{RepositoryName: repo})
		}), fails[*ecrtypes.RepositoryNotEmptyException]()},
		{"delete with force", opsCall(func(ctx context.Context, c *opsClients) (*ecr.DeleteRepositoryOutput, error) {
			return c.ecr.DeleteRepository(ctx, &ecr.DeleteRepositoryInput{RepositoryName: repo, Force: true})
		}), ok(func(t *testing.T, out *ecr.DeleteRepositoryOutput) {
			if *out.Repository.RepositoryName != "team/app" {
				t.Fatalf("repository %+v", out.Repository)
			}
		})},
		{"recreated repository is empty", opsCall(func(ctx context.Context, c *opsClients) (string, error) {
			if _, err := c.ecr.CreateRepository(ctx, &ecr.CreateRepositoryInput{RepositoryName: repo}); err != nil {
				return "", err
			}
			_, err := remote.Image(imageRef(t, host+"/team/app:v1"), remote.WithContext(ctx), remote.WithAuth(auth))
			return registryCode(err), nil
		}), ok(func(t *testing.T, code string) {
			if code != "MANIFEST_UNKNOWN" {
				t.Fatalf("code %q", code)
			}
		})},
		{"delete missing", opsCall(func(ctx context.Context, c *opsClients) (*ecr.DeleteRepositoryOutput, error) {
			return c.ecr.DeleteRepository(ctx, &ecr.DeleteRepositoryInput{RepositoryName: aws.String("ghost")})
		}), fails[*ecrtypes.RepositoryNotFoundException]()},
	}
	runOpsSteps(t, c, steps)
}
