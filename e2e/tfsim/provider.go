package tfsim

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// RegistryEnv, set to 1, makes Terraform fetch the providers from the
// public registry (a machine with internet) instead of the local mirror
// that scripts/tf-providers.sh builds.
const RegistryEnv = "SOCKERLESS_TF_REGISTRY"

// CLIConfig returns the Terraform CLI config (TF_CLI_CONFIG_FILE) that
// points at the cached hashicorp/aws mirror, or "" with RegistryEnv set.
// It skips the test, saying how to build the mirror, when neither holds.
func CLIConfig(t testing.TB, root string) string {
	t.Helper()
	return CLIConfigFor(t, root, "aws")
}

// buildTime is how long `make tf-providers` takes to build each provider
// the first time, for the skip message.
var buildTime = map[string]string{"aws": "~25 min", "google": "~4 min"}

// CLIConfigFor is CLIConfig for the provider hashicorp/<provider>.
func CLIConfigFor(t testing.TB, root, provider string) string {
	t.Helper()
	if os.Getenv(RegistryEnv) == "1" {
		return ""
	}
	cmd := exec.Command(filepath.Join(root, "scripts", "tf-providers.sh"), "--check", provider)
	cmd.Dir = root
	out, err := cmd.Output()
	if err != nil {
		reason := err.Error()
		if ee, ok := err.(*exec.ExitError); ok && len(ee.Stderr) > 0 {
			reason = strings.TrimSpace(string(ee.Stderr))
		}
		// Say too why it could not be built here, when it cannot.
		can := exec.Command(filepath.Join(root, "scripts", "tf-providers.sh"), "--can-build", provider)
		can.Dir = root
		if why, err := can.CombinedOutput(); err != nil && len(why) > 0 {
			reason += "; " + strings.TrimSpace(string(why))
		}
		t.Skipf("terraform e2e skipped: the hashicorp/%s provider is not cached (%s); run `make tf-providers` (%s) or set %s=1 where the Terraform registry is reachable", provider, reason, buildTime[provider], RegistryEnv)
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
// terraform-exec manages itself and minus AWS and Google settings that
// could point a provider at a real account, plus the CLI config.
func env(rc string) map[string]string {
	out := map[string]string{"CHECKPOINT_DISABLE": "1"}
	for _, kv := range os.Environ() {
		k, v, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "AWS_") || strings.HasPrefix(k, "TF_") || strings.HasPrefix(k, "GOOGLE_") ||
			strings.HasPrefix(k, "CLOUDSDK_") || k == "GCE_METADATA_HOST" {
			continue
		}
		out[k] = v
	}
	if rc != "" {
		out["TF_CLI_CONFIG_FILE"] = rc
	}
	return out
}
