package cli

import (
	"fmt"
	"io"
)

// installMode is the installed agent's mode: executable by the main
// container, whatever user it runs as.
const installMode = 0o755

// install copies the agent's own executable to dest. An ECS task's
// sidecar runs it to put the agent on a volume the main container
// shares, whose entrypoint is then the installed agent.
func install(env Env, dest string) int {
	if env.Self == nil || env.Create == nil {
		return fail(env, "install: this agent cannot read its own executable or create files here")
	}
	if err := copySelf(env, dest); err != nil {
		return fail(env, "install %s: %v", dest, err)
	}
	return 0
}

func copySelf(env Env, dest string) error {
	src, err := env.Self()
	if err != nil {
		return fmt.Errorf("opening the agent's executable: %w", err)
	}
	defer src.Close()
	dst, err := env.Create(dest, installMode)
	if err != nil {
		return err
	}
	if _, err := io.Copy(dst, src); err != nil {
		dst.Close()
		return err
	}
	// Close reports a failed final write (a full volume, say).
	return dst.Close()
}
