package efs

import (
	"net/http"
	"path"
	"regexp"
	"sort"
	"strings"

	"github.com/sockerless/sockerless/simulators/kit/apierr"
	"github.com/sockerless/sockerless/simulators/kit/tags"
)

var permissionsRE = regexp.MustCompile(`^[0-7]{3,4}$`)

func (s *Service) createAccessPoint(r request) (int, any, *apierr.Error) {
	var in struct {
		ClientToken   string
		Tags          []tag
		FileSystemId  string
		PosixUser     *posixUser
		RootDirectory *rootDirectory
	}
	if err := r.decode(&in); err != nil {
		return 0, nil, err
	}
	if in.ClientToken == "" || len(in.ClientToken) > 64 {
		return 0, nil, badRequest("ClientToken must be 1 to 64 characters long.")
	}
	f, err := s.lookupFS(r.region, in.FileSystemId)
	if err != nil {
		return 0, nil, err
	}
	n := 0
	for _, a := range s.St.aps {
		if a.FileSystemID != f.ID {
			continue
		}
		if a.ClientToken == in.ClientToken {
			return 0, nil, apierr.New(http.StatusConflict, "AccessPointAlreadyExists", "Access point '%s' already exists with client token '%s'.", a.AccessPointID, in.ClientToken)
		}
		n++
	}
	if n >= s.maxAPs {
		return 0, nil, apierr.New(http.StatusForbidden, "AccessPointLimitExceeded", "You have reached the maximum number of access points (%d) for file system %s. Delete an access point and try again.", s.maxAPs, f.ID)
	}
	if e := checkAccessPoint(in.PosixUser, in.RootDirectory); e != nil {
		return 0, nil, e
	}
	root := in.RootDirectory
	if root == nil {
		root = &rootDirectory{}
	}
	root.Path = path.Clean("/" + root.Path)
	t, terr := tags.Merge(nil, in.Tags, tagPair, tagRules)
	if terr != nil {
		return 0, nil, tagError(terr)
	}
	id := newID("fsap")
	a := &accessPoint{
		Region: r.region, ClientToken: in.ClientToken, Name: tagValue(t, "Name"), Tags: nonNil(t),
		AccessPointID: id, AccessPointArn: arn(r.region, s.AccountID, "access-point", id),
		FileSystemID: f.ID, PosixUser: in.PosixUser, RootDirectory: root, OwnerID: s.AccountID,
		LifeCycleState: "creating",
	}
	if err := s.St.putAP(a); err != nil {
		return 0, nil, internal(err)
	}
	out := *a
	a.LifeCycleState = "available"
	return http.StatusOK, out, nil
}

// checkAccessPoint checks the POSIX user and root directory as EFS does.
func checkAccessPoint(u *posixUser, root *rootDirectory) *apierr.Error {
	if u != nil && (u.Uid == nil || u.Gid == nil) {
		return badRequest("PosixUser must have both Uid and Gid.")
	}
	if u != nil && len(u.SecondaryGids) > 16 {
		return badRequest("PosixUser can have at most 16 secondary group ids.")
	}
	if root == nil {
		return nil
	}
	p := root.Path
	if p == "" {
		p = "/"
	}
	if !strings.HasPrefix(p, "/") || len(p) > 100 {
		return badRequest("RootDirectory.Path must be an absolute path of at most 100 characters: %q", p)
	}
	if strings.Count(strings.Trim(path.Clean(p), "/"), "/") > 3 {
		return badRequest("RootDirectory.Path %q has more than four subdirectories.", p)
	}
	if c := root.CreationInfo; c != nil {
		if c.OwnerUid == nil || c.OwnerGid == nil || !permissionsRE.MatchString(c.Permissions) {
			return badRequest("CreationInfo needs OwnerUid, OwnerGid and Permissions in octal (e.g. 0755).")
		}
	}
	return nil
}

func (s *Service) lookupAP(region, id string) (*accessPoint, *apierr.Error) {
	a := s.St.aps[id]
	if a == nil || a.Region != region {
		return nil, apierr.New(http.StatusNotFound, "AccessPointNotFound", "Access point '%s' does not exist.", id)
	}
	return a, nil
}

func (s *Service) describeAccessPoints(r request) (int, any, *apierr.Error) {
	id, fsID := r.query.Get("AccessPointId"), r.query.Get("FileSystemId")
	if id != "" && fsID != "" {
		return 0, nil, badRequest("Specify either AccessPointId or FileSystemId, not both.")
	}
	if id != "" {
		a, err := s.lookupAP(r.region, id)
		if err != nil {
			return 0, nil, err
		}
		return http.StatusOK, map[string]any{"AccessPoints": []accessPoint{*a}}, nil
	}
	if fsID != "" {
		if _, err := s.lookupFS(r.region, fsID); err != nil {
			return 0, nil, err
		}
	}
	var list []accessPoint
	for _, a := range s.St.aps {
		if a.Region == r.region && (fsID == "" || a.FileSystemID == fsID) {
			list = append(list, *a)
		}
	}
	sort.Slice(list, func(i, j int) bool { return list[i].AccessPointID < list[j].AccessPointID })
	page, next, err := paginate(list, r.query.Get("NextToken"), r.query.Get("MaxResults"), 100)
	if err != nil {
		return 0, nil, err
	}
	out := map[string]any{"AccessPoints": page}
	if next != "" {
		out["NextToken"] = next
	}
	return http.StatusOK, out, nil
}

// deleteAccessPoint deletes the access point; its directory and files
// stay in the file system, as in EFS.
func (s *Service) deleteAccessPoint(r request) (int, any, *apierr.Error) {
	a, err := s.lookupAP(r.region, r.parts[1])
	if err != nil {
		return 0, nil, err
	}
	if err := s.St.dropAP(a.AccessPointID); err != nil {
		return 0, nil, internal(err)
	}
	return http.StatusNoContent, nil, nil
}
