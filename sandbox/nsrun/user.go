//go:build linux && cgo

package nsrun

import (
	"fmt"
	"os"

	securejoin "github.com/cyphar/filepath-securejoin"
	"github.com/moby/sys/user"
)

// ResolveUser finds the uid, gid, groups and home of spec ("name",
// "uid", "name:group", "uid:gid"; "" is root) in the image's
// /etc/passwd and /etc/group, as dockerd does; numeric IDs need no
// entry.
func ResolveUser(rootfs, spec string) (*user.ExecUser, error) {
	passwd, err := securejoin.SecureJoin(rootfs, "/etc/passwd")
	if err != nil {
		return nil, err
	}
	group, err := securejoin.SecureJoin(rootfs, "/etc/group")
	if err != nil {
		return nil, err
	}
	u, err := user.GetExecUserPath(spec, &user.ExecUser{Uid: 0, Gid: 0, Home: "/"}, passwd, group)
	if err != nil {
		return nil, fmt.Errorf("unable to find user %s: %w", spec, err)
	}
	return u, nil
}

// MkdirIn makes the container directory dir under rootfs, as dockerd
// makes a working directory the image lacks.
func MkdirIn(rootfs, dir string) error {
	p, err := securejoin.SecureJoin(rootfs, dir)
	if err != nil {
		return err
	}
	return os.MkdirAll(p, 0o755)
}

// WithHome adds HOME from the user's entry when env has none, as
// dockerd does.
func WithHome(env []string, home string) []string {
	for _, e := range env {
		if len(e) >= 5 && e[:5] == "HOME=" {
			return env
		}
	}
	if home == "" {
		home = "/"
	}
	return append(env, "HOME="+home)
}

// WithGroups adds --group-add's groups (names in the image's
// /etc/group, or numeric IDs) to u's, as dockerd does.
func WithGroups(rootfs string, u *user.ExecUser, add []string) error {
	if len(add) == 0 {
		return nil
	}
	group, err := securejoin.SecureJoin(rootfs, "/etc/group")
	if err != nil {
		return err
	}
	gids, err := user.GetAdditionalGroupsPath(add, group)
	if err != nil {
		return fmt.Errorf("unable to find additional groups %v: %w", add, err)
	}
	u.Sgids = append(u.Sgids, gids...)
	return nil
}
