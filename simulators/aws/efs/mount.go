package efs

import (
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strconv"
)

// Mount is an EFS volume a workload mounts, as ECS's
// efsVolumeConfiguration and Lambda's FileSystemConfigs name it.
type Mount struct {
	Region string
	// FileSystemID may be "" when AccessPointID is set: the access
	// point's file system.
	FileSystemID string
	// AccessPointID, when set, roots the mount at the access point's
	// directory; RootDirectory then must be "" or "/".
	AccessPointID string
	// RootDirectory is the directory of the file system mounted when no
	// access point is given ("" is the root).
	RootDirectory string
}

// Resolve is what the EFS mount helper does for a workload: it finds the
// file system (which must have a mount target, as the workload reaches
// it through one) and the access point, creates the access point's root
// directory with its CreationInfo when it is missing, and returns the
// host directory to mount. The error is the mount's failure as the
// platform reports it.
func (s *Service) Resolve(m Mount) (string, error) {
	s.Mu.Lock()
	defer s.Mu.Unlock()
	if a := s.St.aps[m.AccessPointID]; m.FileSystemID == "" && a != nil {
		m.FileSystemID = a.FileSystemID // Lambda names the access point only
	}
	f := s.St.fss[m.FileSystemID]
	if f == nil || f.Region != m.Region {
		return "", fmt.Errorf("Failed to resolve \"%s.efs.%s.amazonaws.com\" - check that your file system ID is correct", m.FileSystemID, m.Region)
	}
	reachable := false
	for _, mt := range s.St.mts {
		reachable = reachable || mt.FileSystemID == f.ID
	}
	if !reachable {
		return "", fmt.Errorf("Failed to resolve \"%s.efs.%s.amazonaws.com\" - check that your file system ID is correct, and ensure that the VPC has an EFS mount target for this file system ID", f.ID, m.Region)
	}
	root := path.Clean("/" + m.RootDirectory)
	var info *creationInfo
	if m.AccessPointID != "" {
		a := s.St.aps[m.AccessPointID]
		if a == nil || a.FileSystemID != f.ID {
			return "", fmt.Errorf("mount.nfs4: access denied by server: access point %s does not exist in file system %s", m.AccessPointID, f.ID)
		}
		if root != "/" {
			return "", fmt.Errorf("the root directory must be / when access point %s is used", m.AccessPointID)
		}
		root, info = a.RootDirectory.Path, a.RootDirectory.CreationInfo
	}
	dir := filepath.Join(s.fsDir(f.ID), filepath.FromSlash(root))
	if _, err := os.Stat(dir); err == nil {
		return dir, nil
	}
	if info == nil {
		return "", fmt.Errorf("mount.nfs4: access denied by server while mounting 127.0.0.1:%s (the directory does not exist and the access point has no CreationInfo)", root)
	}
	perm, _ := strconv.ParseUint(info.Permissions, 8, 32)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	// The host user owns everything the simulator writes: without the
	// right to give the directory away, its owner stays the host's.
	_ = os.Lchown(dir, int(*info.OwnerUid), int(*info.OwnerGid))
	return dir, os.Chmod(dir, fs.FileMode(perm)&fs.ModePerm)
}

// filepathWalk adds up the sizes of the regular files under dir.
func filepathWalk(dir string, add func(int64)) {
	filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			if fi, err := d.Info(); err == nil {
				add(fi.Size())
			}
		}
		return nil
	})
}
