package coreutils

import (
	"os"
	"strconv"
	"strings"

	"github.com/sockerless/sockerless/sandbox/command"
)

// The image's files are unpacked by the host user, so like a rootless
// user namespace the sandbox shows that user as root inside the container.
var hostUID, hostGID = os.Getuid(), os.Getgid()

func containerID(id, host int) int {
	if id == host {
		return 0
	}
	return id
}

// idNames maps ids to names through the image's /etc/passwd and /etc/group.
type idNames struct {
	users, groups map[int]string
}

func newIDNames(inv *command.Invocation) idNames {
	return idNames{users: readIDFile(inv, "/etc/passwd"), groups: readIDFile(inv, "/etc/group")}
}

// readIDFile reads name:x:id:... lines; a missing file yields only root,
// which every image implicitly has.
func readIDFile(inv *command.Invocation, name string) map[int]string {
	m := map[int]string{0: "root"}
	b, err := inv.FS.ReadFile(name)
	if err != nil {
		return m
	}
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Split(line, ":")
		if len(f) < 3 {
			continue
		}
		if id, err := strconv.Atoi(f[2]); err == nil {
			if _, dup := m[id]; !dup || id == 0 {
				m[id] = f[0]
			}
		}
	}
	return m
}

func (n idNames) user(id int) string  { return nameOr(n.users, id) }
func (n idNames) group(id int) string { return nameOr(n.groups, id) }

func nameOr(m map[int]string, id int) string {
	if s, ok := m[id]; ok {
		return s
	}
	return strconv.Itoa(id)
}
