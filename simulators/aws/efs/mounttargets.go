package efs

import (
	"fmt"
	"net/http"
	"sort"
	"strings"

	"github.com/sockerless/sockerless/simulators/kit/apierr"
)

// maxSecurityGroups is how many security groups a mount target takes.
const maxSecurityGroups = 5

func (s *Service) createMountTarget(r request) (int, any, *apierr.Error) {
	var in struct {
		FileSystemId   string
		SubnetId       string
		IpAddress      string
		SecurityGroups []string
	}
	if err := r.decode(&in); err != nil {
		return 0, nil, err
	}
	f, err := s.lookupFS(r.region, in.FileSystemId)
	if err != nil {
		return 0, nil, err
	}
	if len(in.SubnetId) < 15 || len(in.SubnetId) > 47 {
		return 0, nil, badRequest("1 validation error detected: Value '%s' at 'subnetId' failed to satisfy constraint: Member must have length between 15 and 47", in.SubnetId)
	}
	if !strings.HasPrefix(in.SubnetId, "subnet-") {
		return 0, nil, apierr.New(http.StatusBadRequest, "SubnetNotFound", "The subnet ID '%s' does not exist", in.SubnetId)
	}
	if len(in.SecurityGroups) > maxSecurityGroups {
		return 0, nil, apierr.New(http.StatusBadRequest, "SecurityGroupLimitExceeded", "A mount target can have at most %d security groups.", maxSecurityGroups)
	}
	for _, g := range in.SecurityGroups {
		if len(g) < 11 || len(g) > 43 {
			return 0, nil, badRequest("1 validation error detected: Value '%s' at 'securityGroups' failed to satisfy constraint: Member must have length between 11 and 43", g)
		}
		if !strings.HasPrefix(g, "sg-") {
			return 0, nil, apierr.New(http.StatusBadRequest, "SecurityGroupNotFound", "The security group '%s' does not exist", g)
		}
	}
	for _, m := range s.St.mts {
		if m.FileSystemID == f.ID && m.SubnetID == in.SubnetId {
			return 0, nil, apierr.New(http.StatusConflict, "MountTargetConflict", "Mount target '%s' already exists in the availability zone of subnet %s for file system %s.", m.MountTargetID, in.SubnetId, f.ID)
		}
	}
	s.St.nextIP++
	if in.IpAddress == "" {
		in.IpAddress = fmt.Sprintf("10.0.%d.%d", s.St.nextIP/250, 4+s.St.nextIP%250)
	}
	if len(in.SecurityGroups) == 0 {
		in.SecurityGroups = []string{"sg-default"}
	}
	m := &mountTarget{
		Region: r.region, OwnerID: s.AccountID, MountTargetID: newID("fsmt"), FileSystemID: f.ID,
		SubnetID: in.SubnetId, LifeCycleState: "creating", IPAddress: in.IpAddress,
		NetworkInterfaceID: newID("eni"), AvailabilityZoneID: "use1-az1", AvailabilityZoneName: r.region + "a",
		VpcID: "vpc-" + strings.TrimPrefix(in.SubnetId, "subnet-"), SecurityGroups: in.SecurityGroups,
	}
	if err := s.St.putMT(m); err != nil {
		return 0, nil, internal(err)
	}
	out := *m
	m.LifeCycleState = "available"
	return http.StatusOK, out, nil
}

func (s *Service) lookupMT(region, id string) (*mountTarget, *apierr.Error) {
	m := s.St.mts[id]
	if m == nil || m.Region != region {
		return nil, apierr.New(http.StatusNotFound, "MountTargetNotFound", "Mount target '%s' does not exist.", id)
	}
	return m, nil
}

func (s *Service) describeMountTargets(r request) (int, any, *apierr.Error) {
	fsID, mtID, apID := r.query.Get("FileSystemId"), r.query.Get("MountTargetId"), r.query.Get("AccessPointId")
	var list []mountTarget
	switch {
	case mtID != "":
		m, err := s.lookupMT(r.region, mtID)
		if err != nil {
			return 0, nil, err
		}
		list = append(list, *m)
	case fsID != "" || apID != "":
		if apID != "" {
			a, err := s.lookupAP(r.region, apID)
			if err != nil {
				return 0, nil, err
			}
			fsID = a.FileSystemID
		}
		if _, err := s.lookupFS(r.region, fsID); err != nil {
			return 0, nil, err
		}
		for _, m := range s.St.mts {
			if m.FileSystemID == fsID {
				list = append(list, *m)
			}
		}
	default:
		return 0, nil, badRequest("Specify one of FileSystemId, MountTargetId or AccessPointId.")
	}
	sort.Slice(list, func(i, j int) bool { return list[i].MountTargetID < list[j].MountTargetID })
	page, next, err := paginate(list, r.query.Get("Marker"), r.query.Get("MaxItems"), 10)
	if err != nil {
		return 0, nil, err
	}
	out := map[string]any{"MountTargets": page}
	if next != "" {
		out["NextMarker"] = next
	}
	return http.StatusOK, out, nil
}

func (s *Service) deleteMountTarget(r request) (int, any, *apierr.Error) {
	m, err := s.lookupMT(r.region, r.parts[1])
	if err != nil {
		return 0, nil, err
	}
	if err := s.St.kv.Delete(bucketMountTargets, m.MountTargetID); err != nil {
		return 0, nil, internal(err)
	}
	delete(s.St.mts, m.MountTargetID)
	return http.StatusNoContent, nil, nil
}

func (s *Service) describeMountTargetSecurityGroups(r request) (int, any, *apierr.Error) {
	m, err := s.lookupMT(r.region, r.parts[1])
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, map[string]any{"SecurityGroups": m.SecurityGroups}, nil
}

func (s *Service) modifyMountTargetSecurityGroups(r request) (int, any, *apierr.Error) {
	m, err := s.lookupMT(r.region, r.parts[1])
	if err != nil {
		return 0, nil, err
	}
	var in struct{ SecurityGroups []string }
	if err := r.decode(&in); err != nil {
		return 0, nil, err
	}
	if len(in.SecurityGroups) > maxSecurityGroups {
		return 0, nil, apierr.New(http.StatusBadRequest, "SecurityGroupLimitExceeded", "A mount target can have at most %d security groups.", maxSecurityGroups)
	}
	m.SecurityGroups = in.SecurityGroups
	if err := s.St.putMT(m); err != nil {
		return 0, nil, internal(err)
	}
	return http.StatusNoContent, nil, nil
}
