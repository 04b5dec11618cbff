// Package tfsim applies terraform/environments/aws-sim (the aws module
// pointed at the AWS simulator) with the real terraform CLI through
// terraform-exec, and checks that destroy leaves nothing behind. Tests
// that need a deployed control plane (the terraform e2e, the docker CLI
// on the AWS backends) start from Apply.
package tfsim

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/hashicorp/terraform-exec/tfexec"

	"github.com/sockerless/sockerless/functions/testing/awssimtest"
)

// Options says what to deploy. The zero value deploys both backends,
// named "sockerless", on a simulator of its own.
type Options struct {
	// Name is the module's name prefix; default "sockerless".
	Name string
	// Backends to deploy; default ecs and lambda.
	Backends []string
	// Endpoint is a running simulator to deploy to; empty starts a fresh
	// one for the test (LeftBehind is only meaningful on a fresh one).
	Endpoint string
	// Zips maps backend → deployment zip; missing ones are built with
	// functions/cmd/lambdazip.
	Zips map[string]string
	// AgentURL is the module's agent_url.
	AgentURL string
	// Runtime is what the simulator Apply starts runs ECS tasks and
	// Lambda functions on (awssim --runtime); default sandbox, so that no
	// test changes runtime with the machine it runs on.
	Runtime string
	// Tags are the module's tags; default a project tag, so that the
	// provider's tagging calls are exercised as on a real deployment.
	Tags map[string]string
}

// Outputs are the module's outputs.
type Outputs struct {
	Functions             map[string]string `json:"functions"`
	FunctionARNs          map[string]string `json:"function_arns"`
	Region                string            `json:"region"`
	TableName             string            `json:"table_name"`
	AgentRepositoryURL    string            `json:"agent_repository_url"`
	WorkloadRepositoryURL string            `json:"workload_repository_url"`
	ClusterName           string            `json:"cluster_name"`
	LogGroup              string            `json:"log_group"`
	// FileSystemID is the EFS file system holding named volumes.
	FileSystemID string `json:"file_system_id"`
}

// Deployment is an applied environment.
type Deployment struct {
	Outputs Outputs
	// Endpoint is the simulator's URL (AWS_ENDPOINT_URL for the edge).
	Endpoint string
	// Secret is the agent-token signing key the functions were given.
	Secret string
	// Config is an SDK config for the simulator with its test credentials.
	Config aws.Config
	// SimulatorData is the data directory of the simulator Apply
	// started ("" on one the test gave): the functions see the volumes'
	// file system under it (SOCKERLESS_EFS_MOUNTED).
	SimulatorData string
	Applied
}

// Applied is an applied environment of any cloud: where its state lives,
// how long apply took, and the plan and destroy that follow.
type Applied struct {
	// Dir is the temporary copy of terraform/ the state lives in.
	Dir       string
	ApplyTime time.Duration

	tf        *tfexec.Terraform
	destroyed bool
}

// Apply runs init and apply of environments/aws-sim in a new Workspace
// and returns the deployment; it skips the test when the provider is not
// available. On a simulator the test gave (Options.Endpoint), the
// deployment is destroyed when the test ends unless the test called
// Destroy; on one of its own it goes with the simulator.
func Apply(t testing.TB, o Options) *Deployment {
	t.Helper()
	ws := NewWorkspace(t)
	o = o.withDefaults()
	tmp := t.TempDir()
	own := o.Endpoint == ""
	data := ""
	if own {
		data = t.TempDir()
		o.Endpoint = awssimtest.SimulatorOn(t, tmp, data, o.Runtime)
	}
	zips := BuildZips(t, tmp, o.Backends, o.Zips)
	d := &Deployment{Endpoint: o.Endpoint, Secret: randomHex(t, 32), Config: awssimtest.Config(t, o.Endpoint), SimulatorData: data,
		Applied: Applied{Dir: ws.Dir, tf: ws.TF}}
	err := ws.SetVars(map[string]any{
		"endpoint": o.Endpoint, "name": o.Name, "backends": o.Backends, "function_zips": zips,
		"secret": d.Secret, "agent_url": o.AgentURL, "tags": o.Tags, "simulator_data": data,
	})
	if err != nil {
		t.Fatal(err)
	}
	d.apply(t, !own, &d.Outputs)
	return d
}

// apply runs terraform apply and reads the outputs into outputs; with
// cleanup, the environment is destroyed when the test ends unless the
// test destroyed it.
func (a *Applied) apply(t testing.TB, cleanup bool, outputs any) {
	t.Helper()
	t.Cleanup(func() {
		if !a.destroyed && cleanup {
			if err := a.destroy(); err != nil {
				t.Errorf("terraform destroy at cleanup: %v", err)
			}
		}
	})
	begin := time.Now()
	if err := a.tf.Apply(t.Context()); err != nil {
		t.Fatalf("terraform apply: %v", err)
	}
	a.ApplyTime = time.Since(begin)
	if err := a.readOutputs(t, outputs); err != nil {
		t.Fatal(err)
	}
}

// Destroy runs terraform destroy and returns how long it took.
func (d *Applied) Destroy(t testing.TB) time.Duration {
	t.Helper()
	begin := time.Now()
	if err := d.destroy(); err != nil {
		t.Fatalf("terraform destroy: %v", err)
	}
	return time.Since(begin)
}

func (d *Applied) destroy() error {
	d.destroyed = true
	// Not the test's context: at cleanup it is already cancelled.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	return d.tf.Destroy(ctx)
}

// Plan reports whether a plan against the applied state is empty, and
// the plan's description when it is not: a module that the simulator
// reads back differently from what was applied shows up as drift here.
func (d *Applied) Plan(t testing.TB) (changes bool, show string) {
	t.Helper()
	plan := filepath.Join(d.Dir, "drift.tfplan")
	changes, err := d.tf.Plan(t.Context(), tfexec.Out(plan))
	if err != nil {
		t.Fatalf("terraform plan: %v", err)
	}
	if !changes {
		return false, ""
	}
	show, err = d.tf.ShowPlanFileRaw(t.Context(), plan)
	if err != nil {
		t.Fatalf("terraform show: %v", err)
	}
	return true, show
}

func (d *Applied) readOutputs(t testing.TB, into any) error {
	out, err := d.tf.Output(t.Context())
	if err != nil {
		return fmt.Errorf("terraform output: %w", err)
	}
	flat := map[string]json.RawMessage{}
	for k, v := range out {
		flat[k] = v.Value
	}
	b, _ := json.Marshal(flat)
	if err := json.Unmarshal(b, into); err != nil {
		return fmt.Errorf("terraform outputs %s: %w", b, err)
	}
	return nil
}

func (o Options) withDefaults() Options {
	if o.Name == "" {
		o.Name = "sockerless"
	}
	if len(o.Backends) == 0 {
		o.Backends = []string{"ecs", "lambda"}
	}
	if o.Tags == nil {
		o.Tags = map[string]string{"project": "sockerless", "environment": "aws-sim"}
	}
	if o.Runtime == "" {
		o.Runtime = "sandbox"
	}
	return o
}

func randomHex(t testing.TB, n int) string {
	t.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}
