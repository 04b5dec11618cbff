package server

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	arpb "cloud.google.com/go/artifactregistry/apiv1/artifactregistrypb"
	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
	"golang.org/x/oauth2/google"
	"google.golang.org/api/googleapi"

	"github.com/sockerless/sockerless/simulators/kit/imagetest"
)

// accessToken gets an access token as a workload does, from the metadata
// server (what `gcloud auth print-access-token` prints on a VM).
func accessToken(t testing.TB, s *Server) string {
	t.Helper()
	t.Setenv("GCE_METADATA_HOST", s.Addr())
	tok, err := google.ComputeTokenSource("").Token()
	if err != nil {
		t.Fatal(err)
	}
	return tok.AccessToken
}

// viaHost is a transport that dials the simulator whatever host a
// request names, as a client does whose DNS sends
// LOCATION-docker.pkg.dev to it.
func viaHost(s *Server) http.RoundTripper {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.DialContext = func(ctx context.Context, network, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, network, s.Addr())
	}
	return tr
}

// httpStatus is the HTTP status of a failed request: from a registry
// (go-containerregistry) or a Google API (googleapi); 0 for none.
func httpStatus(err error) int {
	var terr *transport.Error
	if errors.As(err, &terr) {
		return terr.StatusCode
	}
	var gerr *googleapi.Error
	if errors.As(err, &gerr) {
		return gerr.Code
	}
	return 0
}

// startFirst runs a simulator on dir that the test stops itself, to start
// another on the same state.
func startFirst(t *testing.T, dir string) *Server {
	t.Helper()
	s, err := New(Config{Addr: "127.0.0.1:0", DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(); err != nil {
		s.Close()
		t.Fatal(err)
	}
	return s
}

// TestArtifactRegistryDocker pushes and pulls with go-containerregistry,
// authenticated as `gcloud auth configure-docker` makes Docker clients
// do, and runs a Cloud Run job from an image named as Google names it.
func TestArtifactRegistryDocker(t *testing.T) {
	e := newRunEnv(t, Config{})
	ctx := context.Background()
	c := arClients(t, e.srv)["grpc"]
	project := strings.Split(e.parent, "/")[1]
	if _, err := createRepo(ctx, c, e.parent, "images", nil); err != nil {
		t.Fatal(err)
	}
	if _, err := createRepo(ctx, c, e.parent, "frozen", &arpb.Repository{Format: arpb.Repository_DOCKER,
		FormatConfig: &arpb.Repository_DockerConfig{DockerConfig: &arpb.Repository_DockerRepositoryConfig{ImmutableTags: true}}}); err != nil {
		t.Fatal(err)
	}
	token := accessToken(t, e.srv)
	auth := remote.WithAuth(&authn.Basic{Username: "oauth2accesstoken", Password: token})
	local := func(path string) name.Reference {
		ref, err := name.ParseReference(e.srv.Addr()+"/"+project+"/"+path, name.Insecure)
		if err != nil {
			t.Fatal(err)
		}
		return ref
	}
	tools := imagetest.Tools(t)
	other, _ := random.Image(64, 1)

	cases := []struct {
		name   string
		do     func() error
		status int
	}{
		{"push with an access token", func() error { return remote.Write(local("images/tools:v1"), tools, auth) }, 0},
		{"pull it back by tag", func() error {
			img, err := remote.Image(local("images/tools:v1"), auth)
			if err == nil {
				got, _ := img.Digest()
				want, _ := tools.Digest()
				if got != want {
					return errors.New("pulled " + got.String() + ", want " + want.String())
				}
			}
			return err
		}, 0},
		{"push without credentials", func() error { return remote.Write(local("images/anon:v1"), other) }, 401},
		{"push with a token the simulator did not issue", func() error {
			return remote.Write(local("images/x:v1"), other, remote.WithAuth(&authn.Basic{Username: "oauth2accesstoken", Password: "ya29.forged"}))
		}, 401},
		{"push with another user name", func() error {
			return remote.Write(local("images/x:v1"), other, remote.WithAuth(&authn.Basic{Username: "admin", Password: token}))
		}, 401},
		{"push to a repository that does not exist", func() error { return remote.Write(local("ghost/x:v1"), other, auth) }, 404},
		{"push without an image name", func() error { return remote.Write(local("images:v1"), other, auth) }, 404},
		{"push a tag to a repository with immutable tags", func() error { return remote.Write(local("frozen/app:v1"), tools, auth) }, 0},
		{"move that immutable tag", func() error { return remote.Write(local("frozen/app:v1"), other, auth) }, 400},
		{"pull through the host Google names, which names the location", func() error {
			ref, _ := name.ParseReference("us-central1-docker.pkg.dev/"+project+"/images/tools:v1", name.Insecure)
			_, err := remote.Image(ref, auth, remote.WithTransport(viaHost(e.srv)))
			return err
		}, 0},
		{"a location without that repository", func() error {
			ref, _ := name.ParseReference("europe-west1-docker.pkg.dev/"+project+"/images/tools:v1", name.Insecure)
			_, err := remote.Image(ref, auth, remote.WithTransport(viaHost(e.srv)))
			return err
		}, 404},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.do()
			if got := httpStatus(err); (tc.status == 0 && err != nil) || (tc.status != 0 && got != tc.status) {
				t.Fatalf("got %v (status %d), want status %d", err, got, tc.status)
			}
		})
	}

	t.Run("a Cloud Run job runs an image named LOCATION-docker.pkg.dev/PROJECT/REPO/IMAGE", func(t *testing.T) {
		e.image = "us-central1-docker.pkg.dev/" + project + "/images/tools:v1"
		j := e.create(t, "from-ar", e.jobOf("cat /etc/hello.txt", nil))
		x := e.waitExec(t, e.start(t, j.Name, nil), 20*time.Second, completed)
		if x.SucceededCount != 1 {
			t.Fatalf("execution: %v", x)
		}
	})
	t.Run("a Cloud Run job runs an image named by the simulator's own host", func(t *testing.T) {
		e.image = e.srv.Addr() + "/" + project + "/images/tools:v1"
		j := e.create(t, "from-ar-host", e.jobOf("cat /etc/hello.txt", nil))
		x := e.waitExec(t, e.start(t, j.Name, nil), 20*time.Second, completed)
		if x.SucceededCount != 1 {
			t.Fatalf("execution: %v", x)
		}
	})
	t.Run("deleting the repository deletes its images", func(t *testing.T) {
		op, err := c.DeleteRepository(ctx, &arpb.DeleteRepositoryRequest{Name: e.parent + "/repositories/images"})
		if err == nil {
			err = op.Wait(ctx)
		}
		if err != nil {
			t.Fatal(err)
		}
		if _, err := createRepo(ctx, c, e.parent, "images", nil); err != nil {
			t.Fatal(err)
		}
		if _, err := remote.Image(local("images/tools:v1"), auth); httpStatus(err) != 404 {
			t.Fatalf("pull from the recreated repository: %v", err)
		}
	})
}

// TestArtifactRegistrySurvivesRestart proves repositories and images are
// kept in the state file and blob directory and served by the next
// simulator on them.
func TestArtifactRegistrySurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	first := startFirst(t, dir)
	parent := "projects/kept/locations/us-east1"
	if _, err := createRepo(ctx, arClients(t, first)["grpc"], parent, "images", nil); err != nil {
		t.Fatal(err)
	}
	img, _ := random.Image(256, 2)
	ref, _ := name.ParseReference(first.Addr()+"/kept/images/app:v1", name.Insecure)
	if err := remote.Write(ref, img, remote.WithAuth(&authn.Basic{Username: "oauth2accesstoken", Password: accessToken(t, first)})); err != nil {
		t.Fatal(err)
	}
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}

	second := startServer(t, Config{DataDir: dir})
	if r, err := arClients(t, second)["rest"].GetRepository(ctx, &arpb.GetRepositoryRequest{Name: parent + "/repositories/images"}); err != nil || r.SizeBytes == 0 {
		t.Fatalf("repository after restart: %v %v", r, err)
	}
	ref, _ = name.ParseReference(second.Addr()+"/kept/images/app:v1", name.Insecure)
	got, err := remote.Image(ref, remote.WithAuth(&authn.Basic{Username: "oauth2accesstoken", Password: accessToken(t, second)}))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := got.RawConfigFile(); err != nil {
		t.Fatal(err)
	}
	gd, _ := got.Digest()
	wd, _ := img.Digest()
	if gd != wd {
		t.Fatalf("pulled %s after restart, want %s", gd, wd)
	}
}
