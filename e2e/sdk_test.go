package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/client"
	"github.com/sockerless/sockerless/e2e/harness"
)

// sdkCase proves one error status (or exec result) through the Docker SDK,
// or through raw HTTP where the SDK hides the status.
type sdkCase struct {
	name string
	// busybox: the case starts a container process.
	busybox bool
	// sockerlessOnly: dockerd has no such behaviour to compare with.
	sockerlessOnly string
	// since: the API version from which Docker answers this way; older
	// reference engines (Debian's dockerd 20.10 is API 1.41) answer 500.
	since string
	run   func(t *testing.T, c *sdkEnv)
}

type sdkEnv struct {
	ctx  context.Context
	cli  *client.Client
	e    *harness.Engine
	name string // unique container name for the case
}

func TestSDK(t *testing.T) {
	cases := []sdkCase{
		{name: "bad_json_create_is_400", since: "1.42", run: func(t *testing.T, c *sdkEnv) {
			r := c.raw(t, "POST", "/containers/create", `{"Image":`)
			wantStatusMessage(t, r, http.StatusBadRequest, "")
		}},
		{name: "unknown_container_is_404", run: func(t *testing.T, c *sdkEnv) {
			_, err := c.cli.ContainerInspect(c.ctx, c.name, client.ContainerInspectOptions{})
			wantErr(t, err, cerrdefs.IsNotFound, "No such container: "+c.name)
			wantStatusMessage(t, c.raw(t, "GET", "/containers/"+c.name+"/json", ""), http.StatusNotFound, "No such container: "+c.name)
		}},
		{name: "unknown_image_is_404", run: func(t *testing.T, c *sdkEnv) {
			_, err := c.cli.ImageInspect(c.ctx, c.name+"/nosuch:1")
			wantErr(t, err, cerrdefs.IsNotFound, "No such image")
			wantStatusMessage(t, c.raw(t, "GET", "/images/"+c.name+"/nosuch:1/json", ""), http.StatusNotFound, "No such image")
		}},
		{name: "conflicting_name_is_409", run: func(t *testing.T, c *sdkEnv) {
			opts := client.ContainerCreateOptions{Name: c.name, Config: &container.Config{Image: TestImage, Cmd: []string{"true"}}}
			if _, err := c.cli.ContainerCreate(c.ctx, opts); err != nil {
				t.Fatalf("first create: %v", err)
			}
			_, err := c.cli.ContainerCreate(c.ctx, opts)
			wantErr(t, err, cerrdefs.IsConflict, "is already in use")
		}},
		{name: "malformed_filters_json_is_400", since: "1.42", run: func(t *testing.T, c *sdkEnv) {
			wantStatusMessage(t, c.raw(t, "GET", "/containers/json?filters=%7Bnot-json", ""), http.StatusBadRequest, "")
		}},
		{name: "invalid_filters_are_400", run: func(t *testing.T, c *sdkEnv) {
			_, err := c.cli.ContainerList(c.ctx, client.ContainerListOptions{All: true, Filters: client.Filters{}.Add("status", "sleeping")})
			wantErr(t, err, cerrdefs.IsInvalidArgument, "nvalid filter")
			_, err = c.cli.ContainerList(c.ctx, client.ContainerListOptions{Filters: client.Filters{}.Add("nosuchfilter", "x")})
			wantErr(t, err, cerrdefs.IsInvalidArgument, "nvalid filter")
			r := c.raw(t, "GET", `/containers/json?filters={"status":{"sleeping":true}}`, "")
			wantStatusMessage(t, r, http.StatusBadRequest, "nvalid filter")
		}},
		{name: "remove_running_without_force_is_409", busybox: true, run: func(t *testing.T, c *sdkEnv) {
			id := c.startSleeper(t)
			_, err := c.cli.ContainerRemove(c.ctx, id, client.ContainerRemoveOptions{})
			wantErr(t, err, cerrdefs.IsConflict, "")
			if _, err := c.cli.ContainerRemove(c.ctx, id, client.ContainerRemoveOptions{Force: true}); err != nil {
				t.Fatalf("forced remove: %v", err)
			}
		}},
		{name: "json_body_over_limit_is_413", sockerlessOnly: "dockerd reads request bodies without a size limit", run: func(t *testing.T, c *sdkEnv) {
			big := fmt.Sprintf(`{"Image":%q,"Labels":{"big":%q}}`, TestImage, strings.Repeat("x", 8<<20))
			r, err := c.e.HTTPUpload("POST", "/containers/create?name="+c.name, http.Header{"Content-Type": {"application/json"}}, []byte(big))
			if err != nil {
				t.Fatal(err)
			}
			wantStatusMessage(t, r, http.StatusRequestEntityTooLarge, "too large")
		}},
		{name: "exec_inspect_exit_code", busybox: true, run: func(t *testing.T, c *sdkEnv) {
			id := c.startSleeper(t)
			ex, err := c.cli.ExecCreate(c.ctx, id, client.ExecCreateOptions{Cmd: []string{"sh", "-c", "exit 5"}})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := c.cli.ExecStart(c.ctx, ex.ID, client.ExecStartOptions{Detach: true}); err != nil {
				t.Fatal(err)
			}
			deadline := time.Now().Add(10 * time.Second)
			for {
				in, err := c.cli.ExecInspect(c.ctx, ex.ID, client.ExecInspectOptions{})
				if err != nil {
					t.Fatal(err)
				}
				if !in.Running {
					if in.ExitCode != 5 || in.ContainerID != id {
						t.Fatalf("exec inspect = %+v, want exit 5 in container %s", in, id)
					}
					return
				}
				if time.Now().After(deadline) {
					t.Fatalf("exec still running after 10s: %+v", in)
				}
				time.Sleep(100 * time.Millisecond)
			}
		}},
	}
	for _, sl := range engines {
		t.Run(sl.name, func(t *testing.T) {
			sl.available(t)
			for _, tc := range cases {
				t.Run(tc.name, func(t *testing.T) {
					e := sl.use(t)
					if tc.sockerlessOnly != "" && e.Name != "sockerless" {
						t.Skip(tc.sockerlessOnly)
					}
					if v := apiVersion(t, e); tc.since != "" && versionLess(v, tc.since) {
						t.Skipf("%s speaks API %s; Docker answers this way from API %s on", e.Name, v, tc.since)
					}
					if tc.busybox && !rootfs.HasBusybox {
						t.Skipf("test image has no binaries: %s", rootfs.Why)
					}
					tc.run(t, newSDKEnv(t, e))
				})
			}
		})
	}
}

func newSDKEnv(t *testing.T, e *harness.Engine) *sdkEnv {
	cli, err := client.New(client.WithHost(e.Host))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	c := &sdkEnv{ctx: ctx, cli: cli, e: e, name: "e2e-sdk-" + randHex(5)}
	t.Cleanup(func() {
		// Remove what the case created, by its unique name.
		list, err := cli.ContainerList(context.Background(), client.ContainerListOptions{All: true, Filters: client.Filters{}.Add("name", c.name)})
		if err == nil {
			for _, s := range list.Items {
				cli.ContainerRemove(context.Background(), s.ID, client.ContainerRemoveOptions{Force: true})
			}
		}
		cancel()
		cli.Close()
	})
	return c
}

// apiVersion is the engine's maximum API version, from /_ping.
func apiVersion(t *testing.T, e *harness.Engine) string {
	r, err := e.HTTP("GET", "/_ping", nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	return r.Header.Get("API-Version")
}

// startSleeper creates and starts a container that sleeps, returning its id.
func (c *sdkEnv) startSleeper(t *testing.T) string {
	t.Helper()
	cr, err := c.cli.ContainerCreate(c.ctx, client.ContainerCreateOptions{Name: c.name, Config: &container.Config{Image: TestImage, Cmd: []string{"sleep", "60"}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.cli.ContainerStart(c.ctx, cr.ID, client.ContainerStartOptions{}); err != nil {
		t.Fatal(err)
	}
	return cr.ID
}

func (c *sdkEnv) raw(t *testing.T, method, path, body string) harness.HTTPResponse {
	t.Helper()
	h := http.Header{}
	var rd *strings.Reader
	if body != "" {
		h.Set("Content-Type", "application/json")
		rd = strings.NewReader(body)
	}
	var r harness.HTTPResponse
	var err error
	if rd != nil {
		r, err = c.e.HTTP(method, path, h, rd)
	} else {
		r, err = c.e.HTTP(method, path, h, nil)
	}
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	return r
}

// wantStatusMessage checks a Docker error answer: the status and a JSON
// body {"message": ...} that contains msg.
func wantStatusMessage(t *testing.T, r harness.HTTPResponse, status int, msg string) {
	t.Helper()
	var m struct {
		Message string `json:"message"`
	}
	if r.Status != status {
		t.Errorf("status %d, want %d; body %.300s", r.Status, status, r.Body)
		return
	}
	if err := json.Unmarshal(r.Body, &m); err != nil || m.Message == "" {
		t.Errorf("body %.300q is not a JSON {\"message\"}: %v", r.Body, err)
		return
	}
	if !strings.Contains(m.Message, msg) {
		t.Errorf("message %q does not contain %q", m.Message, msg)
	}
}

func wantErr(t *testing.T, err error, is func(error) bool, msg string) {
	t.Helper()
	if err == nil {
		t.Errorf("no error, want one containing %q", msg)
		return
	}
	if !is(err) {
		t.Errorf("error %v (%T) is not of the expected kind", err, err)
	}
	if !strings.Contains(err.Error(), msg) {
		t.Errorf("error %q does not contain %q", err, msg)
	}
}
