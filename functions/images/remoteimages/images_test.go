package remoteimages_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/sockerless/sockerless/functions/core"
	"github.com/sockerless/sockerless/functions/images/remoteimages"
)

func TestNoLocalContentSaysWhereImagesGo(t *testing.T) {
	cases := []struct {
		name   string
		images remoteimages.Images
		want   string
	}{
		{"the platform's registry is suggested", remoteimages.Images{Name: "ecs", Registry: "ECR"},
			"docker load is not supported by the ecs backend: images live in a registry; push the image to one the workloads can reach (ECR) and pull it by reference"},
		{"without one, no registry is named", remoteimages.Images{Name: "cloudrun"},
			"docker load is not supported by the cloudrun backend: images live in a registry; push the image to one the workloads can reach and pull it by reference"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tc.images.Load(t.Context(), strings.NewReader(""))
			if !errors.Is(err, core.ErrUnsupported) || !strings.HasPrefix(err.Error(), tc.want) {
				t.Errorf("err %v, want %q (unsupported)", err, tc.want)
			}
		})
	}
}
