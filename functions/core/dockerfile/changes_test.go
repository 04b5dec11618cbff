package dockerfile

import (
	"reflect"
	"testing"

	dockerspec "github.com/moby/docker-image-spec/specs-go/v1"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

func TestApplyChanges(t *testing.T) {
	base := func() dockerspec.DockerOCIImageConfig {
		return dockerspec.DockerOCIImageConfig{ImageConfig: ocispec.ImageConfig{
			Env: []string{"PATH=/bin", "HOME=/root"}, Cmd: []string{"sh"}, WorkingDir: "/srv",
		}}
	}
	tests := []struct {
		name    string
		changes []string
		want    func(*dockerspec.DockerOCIImageConfig)
		wantErr bool
	}{
		{name: "none", want: func(*dockerspec.DockerOCIImageConfig) {}},
		{name: "cmd exec form", changes: []string{`CMD ["cat", "/x"]`}, want: func(c *dockerspec.DockerOCIImageConfig) { c.Cmd = []string{"cat", "/x"} }},
		{name: "entrypoint shell form", changes: []string{"ENTRYPOINT run me"}, want: func(c *dockerspec.DockerOCIImageConfig) {
			c.Entrypoint = []string{"/bin/sh", "-c", "run me"}
		}},
		{name: "env sets and expands", changes: []string{"ENV HOME=/home/me A=$HOME/a", "env B two words"}, want: func(c *dockerspec.DockerOCIImageConfig) {
			c.Env = []string{"PATH=/bin", "HOME=/home/me", "A=/root/a", "B=two words"}
		}},
		{name: "label expose volume", changes: []string{`LABEL a=1 "b c"=2`, "EXPOSE 80 53/udp", `VOLUME ["/data"]`}, want: func(c *dockerspec.DockerOCIImageConfig) {
			c.Labels = map[string]string{"a": "1", "b c": "2"}
			c.ExposedPorts = map[string]struct{}{"80/tcp": {}, "53/udp": {}}
			c.Volumes = map[string]struct{}{"/data": {}}
		}},
		{name: "relative workdir, user, stopsignal, onbuild", changes: []string{"WORKDIR app", "USER nobody", "STOPSIGNAL SIGINT", "ONBUILD RUN make"}, want: func(c *dockerspec.DockerOCIImageConfig) {
			c.WorkingDir, c.User, c.StopSignal = "/srv/app", "nobody", "SIGINT"
			c.OnBuild = []string{"RUN make"}
		}},
		{name: "healthcheck with options", changes: []string{"HEALTHCHECK --interval=5s --retries=2 CMD curl -f localhost"}, want: func(c *dockerspec.DockerOCIImageConfig) {
			c.Healthcheck = &dockerspec.HealthcheckConfig{Test: []string{"CMD-SHELL", "curl -f localhost"}, Interval: 5e9, Retries: 2}
		}},
		{name: "healthcheck none", changes: []string{"HEALTHCHECK NONE"}, want: func(c *dockerspec.DockerOCIImageConfig) {
			c.Healthcheck = &dockerspec.HealthcheckConfig{Test: []string{"NONE"}}
		}},
		{name: "healthcheck with an unknown flag", changes: []string{"HEALTHCHECK --every=5s CMD true"}, wantErr: true},
		{name: "run is not a change", changes: []string{"RUN make"}, wantErr: true},
		{name: "env without value", changes: []string{"ENV LONELY"}, wantErr: true},
		{name: "bad json", changes: []string{`CMD ["a"`}, want: func(c *dockerspec.DockerOCIImageConfig) { c.Cmd = []string{"/bin/sh", "-c", `["a"`} }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := base()
			err := ApplyChanges(&got, tt.changes)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want error %v", err, tt.wantErr)
			}
			if tt.wantErr {
				return
			}
			want := base()
			tt.want(&want)
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("got %+v\nwant %+v", got, want)
			}
		})
	}
}
