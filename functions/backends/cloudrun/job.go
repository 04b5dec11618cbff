package cloudrun

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	runpb "cloud.google.com/go/run/apiv2/runpb"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/sockerless/sockerless/functions/core"
	"github.com/sockerless/sockerless/functions/images/agentimage"
)

// jobImage makes the job image of the user's image ref (pinned by
// digest): its layers, then the agent image's, the agent wrapping the
// image's entrypoint, run as root so that it can run main as the
// container's user (SOCKERLESS_USER) and serve exec as any user. The
// images are the workload repository's image "job" (Artifact Registry
// names images PROJECT/REPOSITORY/IMAGE).
func (d *Driver) jobImage(ctx context.Context, ref string) (string, error) {
	return agentimage.Appended{
		Agent: d.cfg.AgentImage, Repository: d.cfg.Repository + "/job", TagPrefix: "job-", Keychain: d.cfg.Keychain,
		Wrap: func(c v1.Config) v1.Config {
			c.Entrypoint = append([]string{agentimage.Path, "--"}, c.Entrypoint...)
			c.User = ""
			return c
		},
	}.Push(ctx, ref)
}

// template is the job's execution template for a start of w with image
// (the job image) and the agent dialing agentURL: one task, no retries,
// the container's command line after the agent's.
func (d *Driver) template(w core.Workload, image, agentURL string) (*runpb.ExecutionTemplate, error) {
	res, err := resources(w.MemoryBytes, w.NanoCPUs)
	if err != nil {
		return nil, err
	}
	var env []*runpb.EnvVar
	// The healthcheck, if any, rides with the user's environment.
	for _, kv := range append(append([]string{}, w.Main.Env...), w.Health.Env()...) {
		k, v, _ := strings.Cut(kv, "=")
		if err := checkEnvName(k); err != nil {
			return nil, err
		}
		env = append(env, &runpb.EnvVar{Name: k, Values: &runpb.EnvVar_Value{Value: v}})
	}
	for _, kv := range [][2]string{
		{"SOCKERLESS_EDGE_URL", agentURL}, {"SOCKERLESS_CONTAINER_ID", w.ID}, {"SOCKERLESS_TOKEN", w.Token},
		{"SOCKERLESS_STDIN", strconv.FormatBool(w.Main.Stdin)}, {"SOCKERLESS_TTY", strconv.FormatBool(w.Main.TTY)},
		{"SOCKERLESS_USER", w.Main.User},
	} {
		env = append(env, &runpb.EnvVar{Name: kv[0], Values: &runpb.EnvVar_Value{Value: kv[1]}})
	}
	c := &runpb.Container{
		Name:  "main",
		Image: image,
		// "--" so a command named like an agent subcommand is still the
		// command.
		Command:    []string{agentimage.Path, "--"},
		Args:       w.Main.Args,
		Env:        env,
		WorkingDir: w.Main.Dir,
		Resources:  res,
	}
	return &runpb.ExecutionTemplate{
		TaskCount: 1, Parallelism: 1,
		Labels: map[string]string{"managed-by": "sockerless"},
		Template: &runpb.TaskTemplate{
			Containers:     []*runpb.Container{c},
			Retries:        &runpb.TaskTemplate_MaxRetries{MaxRetries: 0},
			Timeout:        durationpb.New(d.cfg.Timeout),
			ServiceAccount: d.cfg.ServiceAccount,
		},
	}, nil
}

// reservedEnv are the variables Cloud Run sets in a job's containers and
// refuses in its template.
var reservedEnv = []string{"CLOUD_RUN_JOB", "CLOUD_RUN_EXECUTION", "CLOUD_RUN_TASK_INDEX",
	"CLOUD_RUN_TASK_ATTEMPT", "CLOUD_RUN_TASK_COUNT", "K_SERVICE", "K_REVISION", "K_CONFIGURATION"}

// checkEnvName says why Cloud Run would refuse a variable name.
func checkEnvName(k string) error {
	if slices.Contains(reservedEnv, k) || strings.HasPrefix(k, "X_GOOGLE_") {
		return fmt.Errorf("environment variable %s cannot be set on the cloudrun backend: Cloud Run reserves it (and every X_GOOGLE_ name) for its own: %w", k, core.ErrUnsupported)
	}
	return nil
}

// Cloud Run's bounds on a job container's resources.
const (
	minMemory = 512 << 20
	maxMemory = 32 << 30
	maxCPUs   = 8
)

// cpuMinMemory is the least memory Cloud Run allows with each CPU count.
var cpuMinMemory = []struct {
	cpus   int
	memory int64
}{{1, minMemory}, {2, minMemory}, {4, 2 << 30}, {8, 4 << 30}}

// resources are docker run --memory and --cpus as a job container's
// limits: the smallest CPU count Cloud Run offers that holds cpus (1
// when unset), and memory rounded up to MiB and to what that CPU count
// needs (512 MiB when unset). Past Cloud Run's largest task, the start
// is refused.
func resources(memory, nanoCPUs int64) (*runpb.ResourceRequirements, error) {
	if memory > maxMemory {
		return nil, fmt.Errorf("--memory %d MiB is more than a Cloud Run job's container can have (32 GiB): %w", memory>>20, core.ErrUnsupported)
	}
	if nanoCPUs > maxCPUs*1e9 {
		return nil, fmt.Errorf("--cpus %g is more than a Cloud Run job's container can have (%d): %w", float64(nanoCPUs)/1e9, maxCPUs, core.ErrUnsupported)
	}
	size := cpuMinMemory[0]
	for _, s := range cpuMinMemory {
		size = s
		if int64(s.cpus)*1e9 >= nanoCPUs {
			break
		}
	}
	memory = max(memory, size.memory)
	mib := (memory + 1<<20 - 1) >> 20
	return &runpb.ResourceRequirements{Limits: map[string]string{
		"cpu": strconv.Itoa(size.cpus), "memory": strconv.FormatInt(mib, 10) + "Mi",
	}}, nil
}
