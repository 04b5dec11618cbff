package imagecmd

import (
	"reflect"
	"testing"
)

func TestMerge(t *testing.T) {
	imageEP, imageCmd := []string{"/entry"}, []string{"default", "args"}
	tests := []struct {
		name            string
		entrypoint, cmd []string
		wantEP, wantCmd []string
	}{
		{"nothing set runs the image's entrypoint and cmd", nil, nil, imageEP, imageCmd},
		{"a cmd replaces the image's cmd only", nil, []string{"run"}, imageEP, []string{"run"}},
		{"an empty cmd takes the image's", nil, []string{}, imageEP, imageCmd},
		{"an entrypoint drops the image's cmd", []string{"sh"}, nil, []string{"sh"}, nil},
		{"an entrypoint with a cmd runs both", []string{"sh"}, []string{"-c", "x"}, []string{"sh"}, []string{"-c", "x"}},
		{"an empty entrypoint list keeps the image's cmd and no entrypoint", []string{}, nil, []string{}, imageCmd},
		{"--entrypoint \"\" clears the image's entrypoint", []string{""}, []string{"ls"}, nil, []string{"ls"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ep, c := Merge(imageEP, imageCmd, tt.entrypoint, tt.cmd)
			if !reflect.DeepEqual(ep, tt.wantEP) || !reflect.DeepEqual(c, tt.wantCmd) {
				t.Fatalf("Merge = %q, %q; want %q, %q", ep, c, tt.wantEP, tt.wantCmd)
			}
		})
	}
}

func TestArgvIsANewSlice(t *testing.T) {
	imageEP := make([]string, 1, 4)
	imageEP[0] = "/entry"
	argv := Argv(imageEP, nil, nil, []string{"a"})
	if want := []string{"/entry", "a"}; !reflect.DeepEqual(argv, want) {
		t.Fatalf("Argv = %q, want %q", argv, want)
	}
	argv[0] = "changed"
	if imageEP[0] != "/entry" || imageEP[:2][1] != "" {
		t.Fatal("Argv wrote into the image's slice")
	}
}
