package efs

import (
	"net/http"
	"os"
	"slices"
	"sort"
	"strconv"

	"github.com/sockerless/sockerless/simulators/kit/apierr"
	"github.com/sockerless/sockerless/simulators/kit/tags"
)

// tagRules are EFS's tag limits.
var tagRules = tags.Rules{MaxKey: 128, MaxValue: 256, MaxTags: 50, Reserved: "aws:"}

func (s *Service) fsWire(f *fileSystem) map[string]any {
	state := "available"
	if !f.described {
		state = "creating"
	}
	mts := 0
	for _, m := range s.St.mts {
		if m.FileSystemID == f.ID {
			mts++
		}
	}
	size := s.sizeOf(f.ID)
	out := map[string]any{
		"OwnerId": s.AccountID, "CreationToken": f.CreationToken, "FileSystemId": f.ID,
		"FileSystemArn": arn(f.Region, s.AccountID, "file-system", f.ID), "CreationTime": f.Created,
		"LifeCycleState": state, "NumberOfMountTargets": mts,
		"SizeInBytes":     map[string]any{"Value": size, "ValueInStandard": size, "ValueInIA": 0, "ValueInArchive": 0},
		"PerformanceMode": f.PerformanceMode, "Encrypted": f.Encrypted, "ThroughputMode": f.ThroughputMode,
		"Tags":                 nonNil(f.Tags),
		"FileSystemProtection": map[string]string{"ReplicationOverwriteProtection": "ENABLED"},
	}
	if name := tagValue(f.Tags, "Name"); name != "" {
		out["Name"] = name
	}
	if f.KmsKeyID != "" {
		out["KmsKeyId"] = f.KmsKeyID
	}
	if f.Provisioned != nil {
		out["ProvisionedThroughputInMibps"] = *f.Provisioned
	}
	if f.OneZone != "" {
		out["AvailabilityZoneName"], out["AvailabilityZoneId"] = f.OneZone, "use1-az1"
	}
	return out
}

// sizeOf is the metered size of a file system: the bytes of its files,
// at least EFS's 6 KiB of an empty file system.
func (s *Service) sizeOf(id string) int64 {
	size := int64(6144)
	filepathWalk(s.fsDir(id), func(n int64) { size += n })
	return size
}

func (s *Service) createFileSystem(r request) (int, any, *apierr.Error) {
	var in struct {
		CreationToken                string
		PerformanceMode              string
		ThroughputMode               string
		ProvisionedThroughputInMibps *float64
		Encrypted                    bool
		KmsKeyId                     string
		AvailabilityZoneName         string
		Tags                         []tag
	}
	if err := r.decode(&in); err != nil {
		return 0, nil, err
	}
	if in.CreationToken == "" || len(in.CreationToken) > 64 {
		return 0, nil, badRequest("CreationToken must be 1 to 64 characters long.")
	}
	for _, f := range s.St.fss {
		if f.Region == r.region && f.CreationToken == in.CreationToken {
			e := apierr.New(http.StatusConflict, "FileSystemAlreadyExists", "File system '%s' already exists with creation token '%s'", f.ID, in.CreationToken)
			return 0, nil, e
		}
	}
	in.PerformanceMode = first(in.PerformanceMode, "generalPurpose")
	in.ThroughputMode = first(in.ThroughputMode, "elastic")
	if !slices.Contains([]string{"generalPurpose", "maxIO"}, in.PerformanceMode) {
		return 0, nil, badRequest("1 validation error detected: Value '%s' at 'performanceMode' failed to satisfy constraint: Member must satisfy enum value set: [generalPurpose, maxIO]", in.PerformanceMode)
	}
	if !slices.Contains([]string{"bursting", "provisioned", "elastic"}, in.ThroughputMode) {
		return 0, nil, badRequest("1 validation error detected: Value '%s' at 'throughputMode' failed to satisfy constraint: Member must satisfy enum value set: [bursting, provisioned, elastic]", in.ThroughputMode)
	}
	if (in.ThroughputMode == "provisioned") != (in.ProvisionedThroughputInMibps != nil) {
		return 0, nil, badRequest("ProvisionedThroughputInMibps must be given exactly when ThroughputMode is provisioned.")
	}
	t, terr := tags.Merge(nil, in.Tags, tagPair, tagRules)
	if terr != nil {
		return 0, nil, tagError(terr)
	}
	f := &fileSystem{
		Region: r.region, ID: newID("fs"), CreationToken: in.CreationToken, Created: float64(s.Now().Unix()),
		PerformanceMode: in.PerformanceMode, ThroughputMode: in.ThroughputMode, Provisioned: in.ProvisionedThroughputInMibps,
		Encrypted: in.Encrypted, KmsKeyID: in.KmsKeyId, OneZone: in.AvailabilityZoneName, Tags: t,
	}
	if f.Encrypted && f.KmsKeyID == "" {
		f.KmsKeyID = "arn:aws:kms:" + r.region + ":" + s.AccountID + ":key/aws/elasticfilesystem"
	}
	if err := os.MkdirAll(s.fsDir(f.ID), 0o755); err != nil {
		return 0, nil, internal(err)
	}
	if err := s.St.putFS(f); err != nil {
		return 0, nil, internal(err)
	}
	out := s.fsWire(f)
	f.described = true
	return http.StatusCreated, out, nil
}

func (s *Service) describeFileSystems(r request) (int, any, *apierr.Error) {
	id := r.query.Get("FileSystemId")
	if len(r.parts) > 1 {
		id = r.parts[1]
	}
	token := r.query.Get("CreationToken")
	var list []map[string]any
	for _, f := range s.sortedFS(r.region) {
		if (id == "" || f.ID == id) && (token == "" || f.CreationToken == token) {
			list = append(list, s.fsWire(f))
		}
	}
	if id != "" && len(list) == 0 {
		return 0, nil, fsNotFound(id)
	}
	page, next, err := paginate(list, r.query.Get("Marker"), r.query.Get("MaxItems"), 100)
	if err != nil {
		return 0, nil, err
	}
	out := map[string]any{"FileSystems": page}
	if m := r.query.Get("Marker"); m != "" {
		out["Marker"] = m
	}
	if next != "" {
		out["NextMarker"] = next
	}
	return http.StatusOK, out, nil
}

func (s *Service) sortedFS(region string) []*fileSystem {
	var out []*fileSystem
	for _, f := range s.St.fss {
		if f.Region == region {
			out = append(out, f)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Created != out[j].Created {
			return out[i].Created < out[j].Created
		}
		return out[i].ID < out[j].ID
	})
	return out
}

// lookupFS finds a file system of region; missing is FileSystemNotFound.
func (s *Service) lookupFS(region, id string) (*fileSystem, *apierr.Error) {
	f := s.St.fss[id]
	if f == nil || f.Region != region {
		return nil, fsNotFound(id)
	}
	return f, nil
}

func fsNotFound(id string) *apierr.Error {
	return apierr.New(http.StatusNotFound, "FileSystemNotFound", "File system '%s' does not exist.", id)
}

// deleteFileSystem deletes a file system without mount targets, with its
// access points and its data.
func (s *Service) deleteFileSystem(r request) (int, any, *apierr.Error) {
	f, err := s.lookupFS(r.region, r.parts[1])
	if err != nil {
		return 0, nil, err
	}
	for _, m := range s.St.mts {
		if m.FileSystemID == f.ID {
			return 0, nil, apierr.New(http.StatusConflict, "FileSystemInUse", "File system '%s' has mount targets created in it and cannot be deleted. Delete its mount targets first.", f.ID)
		}
	}
	for id, a := range s.St.aps {
		if a.FileSystemID == f.ID {
			if err := s.St.dropAP(id); err != nil {
				return 0, nil, internal(err)
			}
		}
	}
	if err := s.St.kv.Delete(bucketFileSystems, f.ID); err != nil {
		return 0, nil, internal(err)
	}
	delete(s.St.fss, f.ID)
	if err := os.RemoveAll(s.fsDir(f.ID)); err != nil {
		return 0, nil, internal(err)
	}
	return http.StatusNoContent, nil, nil
}

func (s *Service) describeLifecycle(r request) (int, any, *apierr.Error) {
	f, err := s.lookupFS(r.region, r.parts[1])
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, map[string]any{"LifecyclePolicies": nonNil(f.Lifecycle)}, nil
}

func (s *Service) putLifecycle(r request) (int, any, *apierr.Error) {
	f, err := s.lookupFS(r.region, r.parts[1])
	if err != nil {
		return 0, nil, err
	}
	var in struct{ LifecyclePolicies []map[string]string }
	if err := r.decode(&in); err != nil {
		return 0, nil, err
	}
	if len(in.LifecyclePolicies) > 3 {
		return 0, nil, badRequest("LifecyclePolicies can hold at most one policy of each kind (TransitionToIA, TransitionToPrimaryStorageClass, TransitionToArchive).")
	}
	f.Lifecycle = in.LifecyclePolicies
	if err := s.St.putFS(f); err != nil {
		return 0, nil, internal(err)
	}
	return http.StatusOK, map[string]any{"LifecyclePolicies": nonNil(f.Lifecycle)}, nil
}

// paginate returns the page of list starting at marker (an index) and
// the marker of the next page, "" at the end.
func paginate[T any](list []T, marker, max string, def int) ([]T, string, *apierr.Error) {
	start, n := 0, def
	if marker != "" {
		var err error
		if start, err = strconv.Atoi(marker); err != nil || start < 0 || start > len(list) {
			return nil, "", badRequest("Invalid marker or pagination token %q.", marker)
		}
	}
	if max != "" {
		var err error
		if n, err = strconv.Atoi(max); err != nil || n < 1 {
			return nil, "", badRequest("MaxItems must be a positive number.")
		}
	}
	end := min(start+n, len(list))
	next := ""
	if end < len(list) {
		next = strconv.Itoa(end)
	}
	return nonNil(list[start:end]), next, nil
}

func nonNil[T any](l []T) []T {
	if l == nil {
		return []T{}
	}
	return l
}

func first(v ...string) string {
	for _, x := range v {
		if x != "" {
			return x
		}
	}
	return ""
}

func internal(err error) *apierr.Error {
	return apierr.New(http.StatusInternalServerError, "InternalServerError", "%v", err)
}
