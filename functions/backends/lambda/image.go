package lambda

import (
	"context"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/sockerless/sockerless/functions/images/agentimage"
)

// functionImage makes the function image of the user's image ref (pinned
// by digest): its layers, then the agent image's, with the agent as the
// Lambda runtime (the entrypoint). It returns the pushed image pinned by
// digest.
func (d *Driver) functionImage(ctx context.Context, ref string) (string, error) {
	return agentimage.Appended{
		Agent: d.cfg.AgentImage, Repository: d.cfg.Repository, TagPrefix: "fn-", Keychain: d.cfg.Keychain,
		Wrap: func(c v1.Config) v1.Config {
			c.Entrypoint, c.Cmd = []string{agentimage.Path, "lambda"}, nil
			return c
		},
	}.Push(ctx, ref)
}
