package ecs

import (
	"archive/tar"
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestValidate(t *testing.T) {
	no := false
	side := containerDef{Name: "side", Image: "img", Essential: &no}
	main := func(deps ...dependency) containerDef {
		return containerDef{Name: "main", Image: "img", DependsOn: deps}
	}
	cases := []struct {
		name string
		in   registerIn
		want string // substring of the ClientException message; "" for valid
	}{
		{"valid sidecar and main", registerIn{Family: "app", ContainerDefinitions: []containerDef{side, main(dependency{"side", "COMPLETE"})}}, ""},
		{"bad family", registerIn{Family: "a b", ContainerDefinitions: []containerDef{main()}}, "Family contains invalid characters"},
		{"no containers", registerIn{Family: "app"}, "Container list cannot be empty."},
		{"no image", registerIn{Family: "app", ContainerDefinitions: []containerDef{{Name: "main"}}}, "Container.image should not be null or empty."},
		{"duplicate names", registerIn{Family: "app", ContainerDefinitions: []containerDef{main(), main()}}, "Duplicate container names"},
		{"no essential container", registerIn{Family: "app", ContainerDefinitions: []containerDef{side}}, "at least one essential container"},
		{"unknown dependency", registerIn{Family: "app", ContainerDefinitions: []containerDef{main(dependency{"ghost", "START"})}}, "'ghost', which does not exist"},
		{"COMPLETE on an essential container", registerIn{Family: "app", ContainerDefinitions: []containerDef{
			{Name: "a", Image: "img"}, main(dependency{"a", "COMPLETE"})}}, "cannot be used on an essential container"},
		{"HEALTHY refused", registerIn{Family: "app", ContainerDefinitions: []containerDef{side, main(dependency{"side", "HEALTHY"})}}, "HEALTHY"},
		{"cycle", registerIn{Family: "app", ContainerDefinitions: []containerDef{
			{Name: "a", Image: "img", DependsOn: []dependency{{"main", "START"}}}, main(dependency{"a", "START"})}}, "cycle"},
		{"unknown volume", registerIn{Family: "app", ContainerDefinitions: []containerDef{{Name: "main", Image: "img", MountPoints: []mountPoint{{SourceVolume: "v", ContainerPath: "/v"}}}}}, "Unknown volume 'v'"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := validate(&tc.in)
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("unexpected %v", err)
			case tc.want != "" && (err == nil || err.Type != "ClientException" || !strings.Contains(err.Message, tc.want)):
				t.Fatalf("got %v, want ClientException containing %q", err, tc.want)
			}
		})
	}
}

func TestLineWriter(t *testing.T) {
	var got []string
	w := &lineWriter{emit: func(s string) { got = append(got, s) }}
	w.Write([]byte("one\ntw"))
	w.Write([]byte("o\n\nthree"))
	w.Close()
	if want := []string{"one", "two", "", "three"}; !slices.Equal(got, want) {
		t.Fatalf("lines %q, want %q", got, want)
	}
}

func TestUntarStaysInside(t *testing.T) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	parent := t.TempDir()
	// A link out of the root, then files written through it: they must
	// land inside the root, as the link resolves there in a container.
	tw.WriteHeader(&tar.Header{Name: "out", Typeflag: tar.TypeSymlink, Linkname: parent})
	tw.WriteHeader(&tar.Header{Name: "up", Typeflag: tar.TypeSymlink, Linkname: "../../.."})
	for _, name := range []string{"../escape", "/abs/file", "ok/file", "out/via-abs", "up/via-rel"} {
		tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: 1, Typeflag: tar.TypeReg})
		tw.Write([]byte("x"))
	}
	tw.Close()
	dir := filepath.Join(parent, "root")
	if err := untar(&buf, dir); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"escape", "abs/file", "ok/file", strings.TrimPrefix(parent, "/") + "/via-abs", "via-rel"} {
		if _, err := os.Stat(filepath.Join(dir, p)); err != nil {
			t.Errorf("%s not under the root: %v", p, err)
		}
	}
	for _, p := range []string{"escape", "via-abs", "via-rel"} {
		if _, err := os.Stat(filepath.Join(parent, p)); err == nil {
			t.Errorf("%s was written outside the root", p)
		}
	}
}
