//go:build linux && cgo

package nsrun

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"strconv"
	"strings"
)

// idMapping is a rootless container's ID mappings: this process's uid
// and gid as 0, and, where /etc/subuid and /etc/subgid grant this user
// subordinate IDs and newuidmap and newgidmap are installed, those as 1
// and up, as rootlesskit maps them for dockerd.
type idMapping struct {
	uid, gid       int
	subUID, subGID idRange
	tools          []string // newuidmap, newgidmap; nil without subordinate IDs
}

// idRange is a run of subordinate IDs.
type idRange struct{ start, count int }

// idMaps finds this process's mappings.
func idMaps() idMapping {
	m := idMapping{uid: os.Geteuid(), gid: os.Getegid()}
	name := strconv.Itoa(m.uid)
	if u, err := user.LookupId(name); err == nil {
		name = u.Username
	}
	var ok1, ok2 bool
	m.subUID, ok1 = subordinate("/etc/subuid", name, m.uid)
	m.subGID, ok2 = subordinate("/etc/subgid", name, m.uid)
	nu, err1 := exec.LookPath("newuidmap")
	ng, err2 := exec.LookPath("newgidmap")
	if ok1 && ok2 && err1 == nil && err2 == nil {
		m.tools = []string{nu, ng}
	}
	return m
}

// Mapped says whether a container's uid and gid have IDs on the host.
func (m idMapping) mapped(uid, gid int) bool {
	in := func(id int, r idRange) bool { return id == 0 || (m.tools != nil && id >= 1 && id < 1+r.count) }
	return in(uid, m.subUID) && in(gid, m.subGID)
}

// apply writes the mappings of process pid with newuidmap and
// newgidmap.
func (m idMapping) apply(pid int) error {
	for i, spec := range []struct {
		id int
		r  idRange
	}{{m.uid, m.subUID}, {m.gid, m.subGID}} {
		args := []string{strconv.Itoa(pid), "0", strconv.Itoa(spec.id), "1", "1", strconv.Itoa(spec.r.start), strconv.Itoa(spec.r.count)}
		if out, err := exec.Command(m.tools[i], args...).CombinedOutput(); err != nil {
			return fmt.Errorf("%s %s: %v: %s", m.tools[i], strings.Join(args, " "), err, out)
		}
	}
	return nil
}

// subordinate reads the first range file grants user name (or uid).
func subordinate(file, name string, uid int) (idRange, bool) {
	f, err := os.Open(file)
	if err != nil {
		return idRange{}, false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		parts := strings.Split(strings.TrimSpace(sc.Text()), ":")
		if len(parts) != 3 || (parts[0] != name && parts[0] != strconv.Itoa(uid)) {
			continue
		}
		start, err1 := strconv.Atoi(parts[1])
		count, err2 := strconv.Atoi(parts[2])
		if err1 == nil && err2 == nil && count > 0 {
			return idRange{start, count}, true
		}
	}
	return idRange{}, false
}

// UserMapped says whether uid and gid can be a rootless container's
// user here: 0, or within the subordinate IDs this user is granted.
func UserMapped(uid, gid int) bool { return idMaps().mapped(uid, gid) }
