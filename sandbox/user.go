package sandbox

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/sockerless/sockerless/sandbox/command"
	"github.com/sockerless/sockerless/sandbox/rootfs"
)

// resolveUser reads Docker's user forms (name, uid, name:group, uid:gid)
// against the image's /etc/passwd and /etc/group. The sandbox cannot
// change the host identity; this is what id, whoami and $HOME report.
func resolveUser(fsys *rootfs.FS, spec string) (command.User, string, error) {
	u := command.User{Name: "root", GroupName: "root"}
	home := "/root"
	if spec == "" {
		spec = "0"
	}
	name, group, hasGroup := strings.Cut(spec, ":")
	passwd := readDB(fsys, "/etc/passwd")
	groups := readDB(fsys, "/etc/group")
	found := false
	for _, f := range passwd {
		if len(f) < 6 || (f[0] != name && f[2] != name) {
			continue
		}
		u.Name = f[0]
		u.UID, _ = strconv.Atoi(f[2])
		u.GID, _ = strconv.Atoi(f[3])
		home, found = f[5], true
		break
	}
	if !found {
		uid, err := strconv.Atoi(name)
		if err != nil {
			return u, "", fmt.Errorf("unable to find user %s: no matching entries in passwd file", name)
		}
		u.UID, u.GID, u.Name, home = uid, uid, strconv.Itoa(uid), "/"
		if uid == 0 {
			u.Name, home = "root", "/root"
		}
	}
	if hasGroup {
		gid, err := strconv.Atoi(group)
		matched := false
		for _, f := range groups {
			if len(f) >= 3 && (f[0] == group || f[2] == group) {
				gid, _ = strconv.Atoi(f[2])
				matched, err = true, nil
				break
			}
		}
		if err != nil && !matched {
			return u, "", fmt.Errorf("unable to find group %s: no matching entries in group file", group)
		}
		u.GID = gid
	}
	u.GroupName = strconv.Itoa(u.GID)
	for _, f := range groups {
		if len(f) >= 3 && f[2] == strconv.Itoa(u.GID) {
			u.GroupName = f[0]
			break
		}
	}
	if u.GID == 0 && u.GroupName == "0" {
		u.GroupName = "root"
	}
	return u, home, nil
}

func readDB(fsys *rootfs.FS, name string) [][]string {
	b, err := fsys.ReadFile(name)
	if err != nil {
		return nil
	}
	var out [][]string
	for _, line := range strings.Split(string(b), "\n") {
		if line != "" && !strings.HasPrefix(line, "#") {
			out = append(out, strings.Split(line, ":"))
		}
	}
	return out
}
