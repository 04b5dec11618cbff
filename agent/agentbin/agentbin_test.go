package agentbin

import (
	"bytes"
	"debug/elf"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sockerless/sockerless/agent"
)

// static reports whether the ELF file at p asks for no dynamic loader.
func static(t *testing.T, p string) bool {
	t.Helper()
	f, err := elf.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, prog := range f.Progs {
		if prog.Type == elf.PT_INTERP {
			return false
		}
	}
	return true
}

// TestInstallFromSources: in a checkout with a go command, the agent is
// built from the sources, static, and runs as the agent.
func TestInstallFromSources(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go command:", err)
	}
	out := filepath.Join(t.TempDir(), "agent")
	p, err := Install(out)
	if err != nil {
		t.Fatal(err)
	}
	if !static(t, p) {
		t.Errorf("%s is dynamically linked", p)
	}
	b, err := exec.Command(p, "version").Output()
	if err != nil || !strings.Contains(string(b), agent.Marker) {
		t.Errorf("%s version: %q %v", p, b, err)
	}
}

// TestInstallWithoutToolchain: with no go command the embedded agent is
// written out, or, in a binary built without one, the error says how to
// get one.
func TestInstallWithoutToolchain(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	out := filepath.Join(t.TempDir(), "agent")
	p, err := Install(out)
	bin, embedded := Embedded()
	if !embedded {
		if err == nil || !strings.Contains(err.Error(), "make build") {
			t.Fatalf("Install without an embedded agent: %v", err)
		}
		return
	}
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(p)
	if err != nil || !bytes.Equal(got, bin) {
		t.Fatalf("installed agent differs from the embedded one (%v)", err)
	}
	if !static(t, p) {
		t.Errorf("embedded agent %s is dynamically linked", p)
	}
	if _, err := Install(out); err != nil {
		t.Errorf("installing over the same agent: %v", err)
	}
}
