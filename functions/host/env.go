package host

import (
	"encoding/hex"
	"fmt"
	"strings"
)

// Environment variables every function reads, whatever its cloud. A
// cloud's wiring reads its own besides (its store's, its logs').
const (
	// EnvSecret is the hex-encoded key that signs agents' tokens; every
	// instance of the function must share it.
	EnvSecret = "SOCKERLESS_SECRET"
	// EnvAgentImage is the agent image (repository:tag) in a registry
	// the workloads pull from.
	EnvAgentImage = "SOCKERLESS_AGENT_IMAGE"
	// EnvAgentURL is where agents dial the edge when a call does not say.
	EnvAgentURL = "SOCKERLESS_AGENT_URL"
	// EnvWorkloadRepository is the repository a backend pushes the
	// images it makes to (the lambda backend's function images).
	EnvWorkloadRepository = "SOCKERLESS_WORKLOAD_REPOSITORY"
)

// Settings are what every function reads from its environment at a cold
// start.
type Settings struct {
	// Secret signs the agents' per-container tokens.
	Secret             []byte
	AgentImage         string
	AgentURL           string
	WorkloadRepository string
	// Getenv reads the rest: the cloud's and the compute driver's own
	// settings.
	Getenv func(string) string
}

// ReadSettings reads the settings with getenv (os.Getenv in a function).
func ReadSettings(getenv func(string) string) (Settings, error) {
	secret, err := hex.DecodeString(getenv(EnvSecret))
	if err != nil || len(secret) < 16 {
		return Settings{}, fmt.Errorf("%s must be at least 16 hex-encoded bytes shared by all instances (got %d bytes, %v)", EnvSecret, len(secret), err)
	}
	return Settings{
		Secret: secret, AgentImage: getenv(EnvAgentImage), AgentURL: getenv(EnvAgentURL),
		WorkloadRepository: getenv(EnvWorkloadRepository), Getenv: getenv,
	}, nil
}

// List splits a comma-separated setting, dropping empty items.
func List(s string) []string {
	var out []string
	for _, item := range strings.Split(s, ",") {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}

// RegistryHosts are the registry hosts a cloud's keychain logs in to
// besides the cloud registry's own: those listed (comma-separated), and
// those of the repositories the function is configured with (they are
// the cloud's registry, whatever their name).
func (s Settings) RegistryHosts(listed string) []string {
	hosts := List(listed)
	for _, ref := range []string{s.AgentImage, s.WorkloadRepository} {
		if h, _, ok := strings.Cut(ref, "/"); ok {
			hosts = append(hosts, h)
		}
	}
	return hosts
}
