package tfsim

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// RegistryEnv, set to 1, makes Terraform fetch hashicorp/aws from the
// public registry (a machine with internet) instead of the local mirror
// that scripts/tf-providers.sh builds.
const RegistryEnv = "SOCKERLESS_TF_REGISTRY"

// CLIConfig returns the Terraform CLI config (TF_CLI_CONFIG_FILE) that
// points at the cached hashicorp/aws mirror, or "" with RegistryEnv set.
// It skips the test, saying how to build the mirror, when neither holds.
func CLIConfig(t testing.TB, root string) string {
	t.Helper()
	if os.Getenv(RegistryEnv) == "1" {
		return ""
	}
	cmd := exec.Command(filepath.Join(root, "scripts", "tf-providers.sh"), "--check")
	cmd.Dir = root
	out, err := cmd.Output()
	if err != nil {
		reason := err.Error()
		if ee, ok := err.(*exec.ExitError); ok && len(ee.Stderr) > 0 {
			reason = strings.TrimSpace(string(ee.Stderr))
		}
		t.Skipf("terraform e2e skipped: the hashicorp/aws provider is not cached (%s); run `make tf-providers` (~25 min) or set %s=1 where the Terraform registry is reachable", reason, RegistryEnv)
	}
	rc := strings.TrimSpace(string(out))
	if _, err := os.Stat(rc); err != nil {
		t.Fatalf("tf-providers.sh --check named %q: %v", rc, err)
	}
	return rc
}

// terraformBin is the terraform executable on PATH.
func terraformBin(t testing.TB) string {
	t.Helper()
	bin, err := exec.LookPath("terraform")
	if err != nil {
		t.Skipf("terraform e2e skipped: no terraform on PATH (%v)", err)
	}
	return bin
}

// env is the environment Terraform runs with: this process's, minus what
// terraform-exec manages itself and minus AWS settings that could point
// the provider at a real account, plus the CLI config.
func env(rc string) map[string]string {
	out := map[string]string{"CHECKPOINT_DISABLE": "1"}
	for _, kv := range os.Environ() {
		k, v, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "AWS_") || strings.HasPrefix(k, "TF_") {
			continue
		}
		out[k] = v
	}
	if rc != "" {
		out["TF_CLI_CONFIG_FILE"] = rc
	}
	return out
}
