package coreutils

import (
	"strconv"
	"strings"

	"github.com/sockerless/sockerless/sandbox/command"
)

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
