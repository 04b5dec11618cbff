// Package imagecmd decides what a container runs from its image's
// ENTRYPOINT and CMD and what the run sets, by Docker's rules, for every
// place that starts an image: Docker's create (functions/core) and the
// simulated clouds that start images (ECS tasks, Lambda image
// functions), which launch them as the Docker engine would.
package imagecmd

// Merge returns the entrypoint and command a container runs. image* are
// the image config's; entrypoint and cmd are what the run sets, nil for
// nothing, as dockerd merges a create request over its image:
//   - an entrypoint that is set replaces the image's, and the image's
//     CMD goes with it: `docker run --entrypoint sh IMAGE` runs sh alone;
//   - with no entrypoint set (nil or empty), an empty cmd takes the
//     image's CMD;
//   - an entrypoint of one empty string (`--entrypoint ""`) clears the
//     image's.
func Merge(imageEntrypoint, imageCmd, entrypoint, cmd []string) (ep, c []string) {
	ep, c = entrypoint, cmd
	if len(ep) == 0 && len(c) == 0 {
		c = imageCmd
	}
	if ep == nil {
		ep = imageEntrypoint
	} else if len(ep) == 1 && ep[0] == "" {
		ep = nil
	}
	return ep, c
}

// Argv is the command line Merge's result runs: the entrypoint followed
// by the command, in a new slice.
func Argv(imageEntrypoint, imageCmd, entrypoint, cmd []string) []string {
	ep, c := Merge(imageEntrypoint, imageCmd, entrypoint, cmd)
	return append(append([]string{}, ep...), c...)
}
