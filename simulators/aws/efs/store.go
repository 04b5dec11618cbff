package efs

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"

	"go.etcd.io/bbolt"

	"github.com/sockerless/sockerless/simulators/kit/kv"
)

// Layout in bbolt: bucket "efs" holds "filesystems", "accesspoints" and
// "mounttargets", each id → record.
const (
	bucketRoot         = "efs"
	bucketFileSystems  = "filesystems"
	bucketAccessPoints = "accesspoints"
	bucketMountTargets = "mounttargets"
)

type tag struct {
	Key   string `json:"Key"`
	Value string `json:"Value"`
}

func tagPair(t tag) (string, string) { return t.Key, t.Value }

// fileSystem is a file system as stored; wire() is its description.
type fileSystem struct {
	Region          string              `json:"region"`
	ID              string              `json:"id"`
	CreationToken   string              `json:"creationToken"`
	Created         float64             `json:"created"`
	PerformanceMode string              `json:"performanceMode"`
	ThroughputMode  string              `json:"throughputMode"`
	Provisioned     *float64            `json:"provisioned,omitempty"`
	Encrypted       bool                `json:"encrypted"`
	KmsKeyID        string              `json:"kmsKeyId,omitempty"`
	OneZone         string              `json:"oneZone,omitempty"`
	Tags            []tag               `json:"tags"`
	Lifecycle       []map[string]string `json:"lifecycle"`
	described       bool                // a describe after the create has seen it: available
}

// accessPoint is an access point as stored, in its wire form.
type accessPoint struct {
	Region         string         `json:"-"`
	ClientToken    string         `json:"ClientToken"`
	Name           string         `json:"Name,omitempty"`
	Tags           []tag          `json:"Tags"`
	AccessPointID  string         `json:"AccessPointId"`
	AccessPointArn string         `json:"AccessPointArn"`
	FileSystemID   string         `json:"FileSystemId"`
	PosixUser      *posixUser     `json:"PosixUser,omitempty"`
	RootDirectory  *rootDirectory `json:"RootDirectory"`
	OwnerID        string         `json:"OwnerId"`
	LifeCycleState string         `json:"LifeCycleState"`
}

type posixUser struct {
	Uid           *int64  `json:"Uid"`
	Gid           *int64  `json:"Gid"`
	SecondaryGids []int64 `json:"SecondaryGids,omitempty"`
}

type rootDirectory struct {
	Path         string        `json:"Path"`
	CreationInfo *creationInfo `json:"CreationInfo,omitempty"`
}

type creationInfo struct {
	OwnerUid    *int64 `json:"OwnerUid"`
	OwnerGid    *int64 `json:"OwnerGid"`
	Permissions string `json:"Permissions"`
}

// mountTarget is a mount target as stored, in its wire form.
type mountTarget struct {
	Region               string   `json:"-"`
	OwnerID              string   `json:"OwnerId"`
	MountTargetID        string   `json:"MountTargetId"`
	FileSystemID         string   `json:"FileSystemId"`
	SubnetID             string   `json:"SubnetId"`
	LifeCycleState       string   `json:"LifeCycleState"`
	IPAddress            string   `json:"IpAddress"`
	NetworkInterfaceID   string   `json:"NetworkInterfaceId"`
	AvailabilityZoneID   string   `json:"AvailabilityZoneId"`
	AvailabilityZoneName string   `json:"AvailabilityZoneName"`
	VpcID                string   `json:"VpcId"`
	SecurityGroups       []string `json:"-"`
}

// stored adds what the wire forms do not carry.
type storedAP struct {
	accessPoint
	Region string `json:"region"`
}

type storedMT struct {
	mountTarget
	Region         string   `json:"region"`
	SecurityGroups []string `json:"securityGroups"`
}

type store struct {
	kv     *kv.Store
	fss    map[string]*fileSystem  // id → file system
	aps    map[string]*accessPoint // id → access point
	mts    map[string]*mountTarget // id → mount target
	nextIP int
}

func openStore(db *bbolt.DB) (*store, error) {
	s := &store{fss: map[string]*fileSystem{}, aps: map[string]*accessPoint{}, mts: map[string]*mountTarget{}}
	var err error
	if s.kv, err = kv.Open(db, bucketRoot, bucketFileSystems, bucketAccessPoints, bucketMountTargets); err != nil {
		return nil, fmt.Errorf("efs: load state: %w", err)
	}
	err = kv.Load(s.kv, bucketFileSystems, func(_ string, f *fileSystem) error {
		f.described = true
		s.fss[f.ID] = f
		return nil
	})
	if err == nil {
		err = kv.Load(s.kv, bucketAccessPoints, func(_ string, a *storedAP) error {
			a.accessPoint.Region = a.Region
			a.LifeCycleState = "available"
			s.aps[a.AccessPointID] = &a.accessPoint
			return nil
		})
	}
	if err == nil {
		err = kv.Load(s.kv, bucketMountTargets, func(_ string, m *storedMT) error {
			m.mountTarget.Region, m.mountTarget.SecurityGroups = m.Region, m.SecurityGroups
			m.LifeCycleState = "available"
			s.mts[m.MountTargetID] = &m.mountTarget
			s.nextIP++
			return nil
		})
	}
	if err != nil {
		return nil, fmt.Errorf("efs: load state: %w", err)
	}
	return s, nil
}

func (s *store) putFS(f *fileSystem) error {
	if err := s.kv.Put(bucketFileSystems, f.ID, f); err != nil {
		return err
	}
	s.fss[f.ID] = f
	return nil
}

func (s *store) putAP(a *accessPoint) error {
	if err := s.kv.Put(bucketAccessPoints, a.AccessPointID, storedAP{*a, a.Region}); err != nil {
		return err
	}
	s.aps[a.AccessPointID] = a
	return nil
}

func (s *store) putMT(m *mountTarget) error {
	if err := s.kv.Put(bucketMountTargets, m.MountTargetID, storedMT{*m, m.Region, m.SecurityGroups}); err != nil {
		return err
	}
	s.mts[m.MountTargetID] = m
	return nil
}

func (s *store) dropAP(id string) error {
	if err := s.kv.Delete(bucketAccessPoints, id); err != nil {
		return err
	}
	delete(s.aps, id)
	return nil
}

// newID is EFS's resource id: prefix and 17 hex digits.
func newID(prefix string) string {
	var b [9]byte
	rand.Read(b[:])
	return prefix + "-" + hex.EncodeToString(b[:])[:17]
}
