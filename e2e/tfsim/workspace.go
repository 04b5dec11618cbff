package tfsim

import (
	"bytes"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/hashicorp/terraform-exec/tfexec"

	"github.com/sockerless/sockerless/functions/testing/awssimtest"
)

// Workspace is an initialised copy of the repository's terraform/ tree in
// a temporary directory, with one of its environments (aws-sim unless
// told) as the root module: state and lock files never land in the
// repository.
type Workspace struct {
	// Dir is the copy of terraform/.
	Dir string
	// TF runs terraform in the environment.
	TF *tfexec.Terraform
}

// NewWorkspace copies terraform/ and runs terraform init with the cached
// provider mirror; it skips the test when the provider or terraform is
// not available. SOCKERLESS_TF_LOG=DEBUG keeps Terraform's log, which
// names every API call the provider makes, in a file that outlives the
// test.
func NewWorkspace(t testing.TB) *Workspace {
	t.Helper()
	return NewWorkspaceFor(t, "aws-sim", "aws")
}

// NewWorkspaceFor is NewWorkspace with environments/<environment> as the
// root module, applied with hashicorp/<provider>.
func NewWorkspaceFor(t testing.TB, environment, provider string) *Workspace {
	t.Helper()
	root := awssimtest.WorkspaceRoot(t)
	rc := CLIConfigFor(t, root, provider)
	bin := terraformBin(t)
	dir := filepath.Join(t.TempDir(), "terraform")
	if err := copyTree(filepath.Join(root, "terraform"), dir); err != nil {
		t.Fatal(err)
	}
	tf, err := tfexec.NewTerraform(filepath.Join(dir, "environments", environment), bin)
	if err != nil {
		t.Fatal(err)
	}
	if err := tf.SetEnv(env(rc)); err != nil {
		t.Fatal(err)
	}
	if level := os.Getenv("SOCKERLESS_TF_LOG"); level != "" {
		f, err := os.CreateTemp("", "tfsim-*.log")
		if err != nil {
			t.Fatal(err)
		}
		f.Close()
		if err := tf.SetLog(level); err != nil {
			t.Fatal(err)
		}
		if err := tf.SetLogPath(f.Name()); err != nil {
			t.Fatal(err)
		}
		t.Logf("terraform log: %s", f.Name())
	}
	// Terraform's own account of each run ("Creation complete after
	// 5s"), shown when the test fails.
	var out lockedBuffer
	tf.SetStdout(&out)
	tf.SetStderr(&out)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("terraform output:\n%s", out.String())
		}
	})
	if err := tf.Init(t.Context(), tfexec.Upgrade(false)); err != nil {
		t.Fatalf("terraform init: %v", err)
	}
	return &Workspace{Dir: dir, TF: tf}
}

// SetVars writes the root module's variables (terraform.tfvars.json,
// which every plan, apply and destroy reads).
func (w *Workspace) SetVars(vars map[string]any) error {
	b, err := json.MarshalIndent(vars, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(w.TF.WorkingDir(), "terraform.tfvars.json"), b, 0o600)
}

// copyTree copies the module sources, leaving out what a local terraform
// run may have left in the working copy.
func copyTree(src, dst string) error {
	return filepath.WalkDir(src, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		name := e.Name()
		if e.IsDir() {
			if name == ".terraform" {
				return filepath.SkipDir
			}
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		if strings.HasPrefix(name, "terraform.tfstate") || name == ".terraform.lock.hcl" || strings.HasSuffix(name, ".tfvars.json") {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), b, 0o644)
	})
}

// lockedBuffer collects terraform's output; terraform-exec copies stdout
// and stderr from separate goroutines.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
