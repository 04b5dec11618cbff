package content

import (
	"encoding/json"
	"fmt"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	dockerspec "github.com/moby/docker-image-spec/specs-go/v1"

	"github.com/sockerless/sockerless/functions/core/dockerfile"
)

// applyChanges applies `docker import --change` and `docker commit
// --change` instructions to cfg with the Dockerfile parser's rules
// (dockerfile.ApplyChanges). The two config types are the same Docker
// image config in JSON, so cfg goes over and back that way.
func applyChanges(cfg *v1.Config, changes []string) error {
	if len(changes) == 0 {
		return nil
	}
	var spec dockerspec.DockerOCIImageConfig
	if err := convert(cfg, &spec); err != nil {
		return err
	}
	if err := dockerfile.ApplyChanges(&spec, changes); err != nil {
		return err
	}
	// Over a copy of cfg: fields only v1.Config has (Hostname, Tty, ...)
	// are not in spec's JSON and stay as they were.
	out := *cfg
	if err := convert(&spec, &out); err != nil {
		return err
	}
	*cfg = out
	return nil
}

func convert(from, to any) error {
	b, err := json.Marshal(from)
	if err == nil {
		err = json.Unmarshal(b, to)
	}
	if err != nil {
		return fmt.Errorf("image config: %w", err)
	}
	return nil
}
