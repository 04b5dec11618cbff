package e2e

import (
	"fmt"
	"slices"

	"github.com/moby/moby/api/types/image"
)

func imageScenarios() []Scenario {
	return []Scenario{
		{Name: "pull_progress", Static: true, Steps: []Step{
			{Args: d("rmi", "@regimg@"), AnyCode: true, Shape: ShapeCode},
			{Args: d("pull", "@regimg@"), Timeout: timeoutPull, Checks: []Check{
				OutContains("Pulling from e2e/busybox", "Pull complete", "Digest: sha256:", "Status: Downloaded newer image for @regimg@"),
			}, Shape: ShapeCode},
			{Args: d("pull", "@regimg@"), Checks: []Check{OutContains("Status: Image is up to date for @regimg@")}, Shape: ShapeCode},
			{Args: d("images", "--format", "{{.Repository}}:{{.Tag}}", "@reg@/e2e/busybox"), Checks: []Check{Out("@regimg@\n")}},
		}},
		{Name: "image_inspect_registry_config", Steps: []Step{
			{Args: d("pull", "-q", "@regimg@"), Timeout: timeoutPull, Checks: []Check{Out("@regimg@\n")}},
			{Args: d("image", "inspect", "@regimg@"), Checks: []Check{JSON("Config is the registry's", checkRegistryConfig)}, Shape: ShapeCode},
			{Args: d("run", "--rm", "@regimg@"), Checks: []Check{Out("entrypoint from-cmd\n")}},
			{Args: d("run", "--rm", "@regimg@", "given"), Checks: []Check{Out("entrypoint given\n")}},
			{Args: d("run", "--rm", "--user", "0", "--entrypoint", "pwd", "@regimg@"), Checks: []Check{Out("/srv/e2e\n")}},
			{Args: d("run", "--rm", "--user", "0", "--entrypoint", "sh", "@regimg@", "-c", "echo $E2E_IMAGE"), Checks: []Check{Out("registry\n")}},
		}},
		{Name: "images_list", Static: true, Steps: []Step{
			{Args: d("images", "--format", "{{.Repository}}:{{.Tag}}"), Checks: []Check{OutContains("@img@\n")}, Shape: ShapeCode},
			{Args: d("images", "--format", "{{.Repository}}:{{.Tag}}", "sockerless-e2e/busybox"), Checks: []Check{Out("@img@\n")}},
			{Args: d("images", "-q", "@img@"), Checks: []Check{OutMatch(`^[0-9a-f]{12}\n$`)}},
		}},
		{Name: "tag_and_rmi", Static: true, Steps: []Step{
			{Args: d("image", "inspect", "--format", "{{.Id}}", "@img@"), Save: "imgid"},
			{Args: d("tag", "@img@", "@name@/copy:v2"), Checks: []Check{OutEmpty()}},
			{Args: d("images", "--format", "{{.Repository}}:{{.Tag}}", "@name@/copy"), Checks: []Check{Out("@name@/copy:v2\n")}},
			{Args: d("image", "inspect", "--format", "{{.Id}}", "@name@/copy:v2"), Checks: []Check{Out("@imgid@\n")}},
			{Args: d("rmi", "@name@/copy:v2"), Checks: []Check{Out("Untagged: @name@/copy:v2\n")}},
			{Args: d("image", "inspect", "@name@/copy:v2"), Code: 1, Checks: []Check{ErrContains("No such image: @name@/copy:v2")}},
			{Args: d("image", "inspect", "--format", "{{.Id}}", "@img@"), Checks: []Check{Out("@imgid@\n")}},
			{Args: d("rmi", "@name@/nosuch:1"), Code: 1, Checks: []Check{ErrContains("No such image")}},
		}},
		{Name: "image_prune_dangling", Static: true, Steps: []Step{
			{Args: d("import", "--change", `CMD ["sh"]`, "@rootfs@", "@name@/dangling:1"), Save: "first"},
			{Args: d("import", "--change", `CMD ["sh", "-c", "true"]`, "@rootfs@", "@name@/dangling:1"), Save: "second"},
			{Args: d("image", "inspect", "--format", "{{.RepoTags}}", "@first@"), Checks: []Check{Out("[]\n")}},
			{Args: d("images", "-q", "--no-trunc", "--filter", "dangling=true"), Checks: []Check{OutContains("@first@")}, Shape: ShapeCode},
			{Args: d("image", "prune", "-f"), Checks: []Check{OutContains("deleted: @first@", "Total reclaimed space")}, Shape: ShapeCode},
			{Args: d("images", "-q", "--filter", "dangling=true"), Checks: []Check{OutEmpty()}},
			{Args: d("image", "inspect", "@first@"), Code: 1, Checks: []Check{ErrContains("No such image")}},
			{Args: d("image", "inspect", "--format", "{{.Id}}", "@name@/dangling:1"), Checks: []Check{Out("@second@\n")}},
		}},
		{Name: "history", Static: true, Steps: []Step{
			{Args: d("history", "--format", "{{.Comment}}", "@img@"), Checks: []Check{Out("Imported from -\n")}},
			{Args: d("history", "@img@"), Checks: []Check{OutContains("IMAGE", "CREATED", "SIZE", "COMMENT")}, Shape: ShapeLines},
		}},
		{Name: "import_and_run", Steps: []Step{
			{Args: d("import", "--change", `CMD ["echo", "imported"]`, "--change", "ENV PATH=/bin", "@rootfs@", "@name@/imp:1"), Checks: []Check{OutMatch(`^sha256:[0-9a-f]{64}\n$`)}},
			{Args: d("run", "--rm", "@name@/imp:1"), Checks: []Check{Out("imported\n")}},
			{Args: d("image", "inspect", "--format", "{{json .Config.Cmd}} {{json .Config.Env}}", "@name@/imp:1"), Checks: []Check{Out(`["echo","imported"] ["PATH=/bin"]` + "\n")}},
		}},
		{Name: "save_load_round_trip", Steps: []Step{
			{Args: d("tag", "@img@", "@name@/saved:1")},
			{Args: d("save", "-o", "@dir@/saved.tar", "@name@/saved:1"), Checks: []Check{OutEmpty()}},
			{Args: d("rmi", "@name@/saved:1"), Checks: []Check{Out("Untagged: @name@/saved:1\n")}},
			{Args: d("load", "-i", "@dir@/saved.tar"), Checks: []Check{Out("Loaded image: @name@/saved:1\n")}},
			{Args: d("run", "--rm", "@name@/saved:1", "echo", "back"), Checks: []Check{Out("back\n")}},
		}},
	}
}

func checkRegistryConfig(s *Session, v []image.InspectResponse) error {
	if len(v) != 1 || v[0].Config == nil {
		return fmt.Errorf("want one image with a Config, got %+v", v)
	}
	c := v[0].Config
	want := map[string][2]any{
		"Entrypoint": {c.Entrypoint, []string{"echo", "entrypoint"}},
		"Cmd":        {c.Cmd, []string{"from-cmd"}},
		"WorkingDir": {c.WorkingDir, "/srv/e2e"},
		"User":       {c.User, "e2e"},
	}
	for k, gw := range want {
		if fmt.Sprint(gw[0]) != fmt.Sprint(gw[1]) {
			return fmt.Errorf("Config.%s = %v, want %v", k, gw[0], gw[1])
		}
	}
	if !slices.Contains(c.Env, "E2E_IMAGE=registry") {
		return fmt.Errorf("Config.Env = %v, want E2E_IMAGE=registry in it", c.Env)
	}
	if c.Labels["org.sockerless.e2e"] != "registry" {
		return fmt.Errorf("Config.Labels = %v", c.Labels)
	}
	if len(v[0].RepoDigests) == 0 {
		return fmt.Errorf("no RepoDigests after a pull")
	}
	return nil
}
