package awshost

import (
	"reflect"
	"strings"
	"testing"

	"github.com/sockerless/sockerless/functions/host"
)

func settings(vars map[string]string) host.Settings {
	return host.Settings{
		AgentImage: vars[host.EnvAgentImage], WorkloadRepository: vars[host.EnvWorkloadRepository],
		Getenv: func(k string) string { return vars[k] },
	}
}

func TestBuildWithoutTableSaysWhichVariable(t *testing.T) {
	_, err := Function{Name: "ecs"}.Build(t.Context(), settings(map[string]string{}))
	if err == nil || !strings.Contains(err.Error(), EnvTable+" is not set") {
		t.Errorf("err %v, want one naming %s", err, EnvTable)
	}
}

func TestRegistryHosts(t *testing.T) {
	cases := []struct {
		name string
		vars map[string]string
		want []string
	}{
		{"none configured is none", map[string]string{}, nil},
		{"the configured repositories' hosts are ECR", map[string]string{
			host.EnvAgentImage: "127.0.0.1:4566/sockerless-agent:latest", host.EnvWorkloadRepository: "127.0.0.1:4566/sockerless-workloads",
		}, []string{"127.0.0.1:4566", "127.0.0.1:4566"}},
		{"listed hosts come first", map[string]string{
			EnvRegistryHosts: "mirror.example, other.example", host.EnvAgentImage: "agent.example/agent:1",
		}, []string{"mirror.example", "other.example", "agent.example"}},
		{"a bare name has no host", map[string]string{host.EnvAgentImage: "agent:1"}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := settings(tc.vars)
			if got := s.RegistryHosts(s.Getenv(EnvRegistryHosts)); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("hosts %q, want %q", got, tc.want)
			}
		})
	}
}
