package taskrun

import (
	"os"
	"slices"
	"strings"
	"testing"
)

func TestLines(t *testing.T) {
	cases := []struct {
		name   string
		writes []string
		want   []string
	}{
		{"lines split across writes are joined", []string{"one\ntw", "o\n\nthree"}, []string{"one", "two", "", "three"}},
		{"max bytes waiting without a newline are a line", []string{"abcdefg"}, []string{"abcde", "fg"}},
		{"nothing written emits nothing", nil, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var got []string
			w := Lines(5, func(s string) { got = append(got, s) })
			for _, s := range c.writes {
				if n, err := w.Write([]byte(s)); n != len(s) || err != nil {
					t.Fatalf("Write = %d, %v", n, err)
				}
			}
			w.Close()
			if !slices.Equal(got, c.want) {
				t.Fatalf("lines %q, want %q", got, c.want)
			}
		})
	}
}

func TestEnv(t *testing.T) {
	cases := []struct {
		name   string
		layers [][]string
		want   []string
	}{
		{"a later layer overrides an earlier one", [][]string{{"A=image", "B=image"}, {"A=def"}}, []string{"B=image", "A=def"}},
		{"within one layer the last setting wins", [][]string{{"A=1", "A=2"}}, []string{"A=2"}},
		{"a value may hold =", [][]string{{"A=x=y"}}, []string{"A=x=y"}},
		{"no layers, no variables", nil, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := Env(c.layers...); !slices.Equal(got, c.want) {
				t.Fatalf("Env = %q, want %q", got, c.want)
			}
		})
	}
}

func TestFirstOf(t *testing.T) {
	if got := FirstOf("", "b", "c"); got != "b" {
		t.Errorf("FirstOf skips empty values: got %q", got)
	}
	if got := FirstOf("", ""); got != "" {
		t.Errorf("FirstOf of nothing set: got %q", got)
	}
}

// TestWorkspace proves the layout the task's containers see and that
// Remove leaves nothing behind.
func TestWorkspace(t *testing.T) {
	w := Workspace{Dir: t.TempDir() + "/task"}
	root, err := w.ContainerRoot("app")
	if err != nil || !strings.HasSuffix(root, "/task/containers/app") {
		t.Fatalf("ContainerRoot = %q, %v", root, err)
	}
	if err := w.MakeVolume("data"); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(w.Volume("data")); err != nil || !fi.IsDir() {
		t.Fatalf("volume data: %v", err)
	}
	if err := w.Remove(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(w.Dir); !os.IsNotExist(err) {
		t.Fatalf("workspace still there after Remove: %v", err)
	}
}
