package osproc

import (
	"fmt"
	"os/user"
	"strconv"
	"strings"
	"syscall"

	"github.com/sockerless/sockerless/agent/proto"
)

// credential resolves Docker's user forms: name, uid, name:group,
// uid:gid.
func credential(spec string) (*syscall.Credential, error) {
	name, group, hasGroup := strings.Cut(spec, ":")
	uid, gid, err := lookupUser(name)
	if err != nil {
		return nil, err
	}
	if hasGroup {
		if gid, err = lookupGroup(group); err != nil {
			return nil, err
		}
	}
	return &syscall.Credential{Uid: uid, Gid: gid}, nil
}

func lookupUser(name string) (uid, gid uint32, err error) {
	if n, err := strconv.ParseUint(name, 10, 32); err == nil {
		u, err := user.LookupId(name)
		if err != nil {
			return uint32(n), uint32(n), nil // a bare uid need not have a passwd entry
		}
		g, _ := strconv.ParseUint(u.Gid, 10, 32)
		return uint32(n), uint32(g), nil
	}
	u, err := user.Lookup(name)
	if err != nil {
		return 0, 0, fmt.Errorf("%w: user %q: %v", proto.ErrInvalid, name, err)
	}
	un, _ := strconv.ParseUint(u.Uid, 10, 32)
	gn, _ := strconv.ParseUint(u.Gid, 10, 32)
	return uint32(un), uint32(gn), nil
}

func lookupGroup(name string) (uint32, error) {
	if n, err := strconv.ParseUint(name, 10, 32); err == nil {
		return uint32(n), nil
	}
	g, err := user.LookupGroup(name)
	if err != nil {
		return 0, fmt.Errorf("%w: group %q: %v", proto.ErrInvalid, name, err)
	}
	n, _ := strconv.ParseUint(g.Gid, 10, 32)
	return uint32(n), nil
}
