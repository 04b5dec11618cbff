package ecs

import (
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
