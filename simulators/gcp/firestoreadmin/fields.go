package firestoreadmin

import (
	"context"
	"regexp"
	"sort"
	"strings"

	adminpb "cloud.google.com/go/firestore/apiv1/admin/adminpb"
	lropb "cloud.google.com/go/longrunning/autogen/longrunningpb"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/sockerless/sockerless/simulators/gcp/internal/fieldmask"
	"github.com/sockerless/sockerless/simulators/gcp/internal/pages"
	"github.com/sockerless/sockerless/simulators/gcp/internal/protokv"
)

// Fields: a field keeps its own index and TTL configuration only once an
// update gave it one (an override); every other field, and the
// collection group's wildcard field "*", reads as using its ancestor's
// (the database's default single-field indexes), as Firestore answers.

const bucketFields = "fields"

var (
	fieldRE      = regexp.MustCompile(`^(projects/[^/]+/databases/[^/]+)/collectionGroups/([^/]+)/fields/([^/]+)$`)
	fieldsParent = regexp.MustCompile(`^(projects/[^/]+/databases/[^/]+)/collectionGroups/([^/]+)$`)
)

const fieldForm = "projects/{project}/databases/{database}/collectionGroups/{collection_id}/fields/{field_id}"

// defaultField is how a field without an override reads: its index
// configuration is its ancestor's, and it has no TTL policy.
func defaultField(name string) *adminpb.Field {
	m := fieldRE.FindStringSubmatch(name)
	ancestor := m[1] + "/collectionGroups/__default__/fields/*"
	idx := func(f *adminpb.Index_IndexField) *adminpb.Index {
		f.FieldPath = "*"
		return &adminpb.Index{QueryScope: adminpb.Index_COLLECTION, State: adminpb.Index_READY, Fields: []*adminpb.Index_IndexField{f}}
	}
	return &adminpb.Field{Name: name, IndexConfig: &adminpb.Field_IndexConfig{UsesAncestorConfig: true, AncestorField: ancestor,
		Indexes: []*adminpb.Index{
			idx(&adminpb.Index_IndexField{ValueMode: &adminpb.Index_IndexField_Order_{Order: adminpb.Index_IndexField_ASCENDING}}),
			idx(&adminpb.Index_IndexField{ValueMode: &adminpb.Index_IndexField_Order_{Order: adminpb.Index_IndexField_DESCENDING}}),
			idx(&adminpb.Index_IndexField{ValueMode: &adminpb.Index_IndexField_ArrayConfig_{ArrayConfig: adminpb.Index_IndexField_CONTAINS}}),
		}}}
}

// field is the named field, checking that its database exists. The
// caller holds s.mu.
func (s *Service) field(name string) (*adminpb.Field, error) {
	if err := checkName(fieldRE, name, fieldForm); err != nil {
		return nil, err
	}
	if _, err := s.find(fieldRE.FindStringSubmatch(name)[1]); err != nil {
		return nil, err
	}
	if f := s.fields[name]; f != nil {
		return proto.Clone(f).(*adminpb.Field), nil
	}
	return defaultField(name), nil
}

// GetField returns a field's configuration.
func (s *Service) GetField(_ context.Context, req *adminpb.GetFieldRequest) (*adminpb.Field, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.field(req.Name)
}

// ListFields lists a collection group's overridden fields: Firestore
// lists only those, and asks the filter to say so.
func (s *Service) ListFields(_ context.Context, req *adminpb.ListFieldsRequest) (*adminpb.ListFieldsResponse, error) {
	if err := checkName(fieldsParent, req.Parent, "projects/{project}/databases/{database}/collectionGroups/{collection_id}"); err != nil {
		return nil, err
	}
	if !strings.Contains(req.Filter, "indexConfig.usesAncestorConfig:false") && !strings.Contains(req.Filter, "ttlConfig:*") {
		return nil, errorf(codes.InvalidArgument, "ListFields lists only overridden fields: the filter must include indexConfig.usesAncestorConfig:false or ttlConfig:*.")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := s.find(fieldsParent.FindStringSubmatch(req.Parent)[1]); err != nil {
		return nil, err
	}

	// Collection group "-" is every collection group, as gcloud lists TTL
	// policies.
	m := fieldsParent.FindStringSubmatch(req.Parent)
	var names []string
	for name, f := range s.fields {
		fm := fieldRE.FindStringSubmatch(name)
		if fm[1] == m[1] && (m[2] == "-" || fm[2] == m[2]) && wanted(f, req.Filter) {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	page, next, err := pages.Paginate(names, req.PageSize, req.PageToken)
	if err != nil {
		return nil, err
	}
	out := &adminpb.ListFieldsResponse{NextPageToken: next}
	for _, n := range page {
		out.Fields = append(out.Fields, proto.Clone(s.fields[n]).(*adminpb.Field))
	}
	return out, nil
}

// wanted reports whether an overridden field passes the filter's terms.
func wanted(f *adminpb.Field, filter string) bool {
	byIndex := strings.Contains(filter, "indexConfig.usesAncestorConfig:false") && !f.GetIndexConfig().GetUsesAncestorConfig()
	byTTL := strings.Contains(filter, "ttlConfig:*") && f.TtlConfig != nil
	return byIndex || byTTL
}

// fieldUpdates are what an UpdateField may change, by mask path.
var fieldUpdates = fieldmask.Setters[*adminpb.Field]{
	"index_config": func(d, s *adminpb.Field) { d.IndexConfig = s.IndexConfig },
	"ttl_config":   func(d, s *adminpb.Field) { d.TtlConfig = s.TtlConfig },
}

// UpdateField sets a field's index configuration (none: its ancestor's)
// and TTL policy (none: no policy); the policy is active at once.
func (s *Service) UpdateField(_ context.Context, req *adminpb.UpdateFieldRequest) (*lropb.Operation, error) {
	in := req.GetField()
	if in == nil {
		return nil, errorf(codes.InvalidArgument, "field is required.")
	}
	if err := checkName(fieldRE, in.Name, fieldForm); err != nil {
		return nil, err
	}
	m := fieldRE.FindStringSubmatch(in.Name)
	if off := in.GetTtlConfig().GetExpirationOffset(); off != nil && (off.Seconds < 0 || off.Seconds > 2147483647 || off.Nanos != 0) {
		return nil, errorf(codes.InvalidArgument, "ttl_config.expiration_offset must be whole seconds between 0 and 2147483647.")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	f, err := s.field(in.Name)
	if err != nil {
		return nil, err
	}
	src := proto.Clone(in).(*adminpb.Field)
	if src.IndexConfig != nil {
		src.IndexConfig.UsesAncestorConfig, src.IndexConfig.AncestorField = false, ""
		for _, ix := range src.IndexConfig.Indexes {
			if ix.QueryScope == adminpb.Index_QUERY_SCOPE_UNSPECIFIED {
				ix.QueryScope = adminpb.Index_COLLECTION
			}
			ix.State = adminpb.Index_READY
			for _, fp := range ix.Fields {
				fp.FieldPath = m[3]
			}
		}
	}
	if src.TtlConfig != nil {
		if m[3] == "*" {
			return nil, errorf(codes.InvalidArgument, "A TTL policy cannot be set on the wildcard field '*'.")
		}
		src.TtlConfig.State = adminpb.Field_TtlConfig_ACTIVE
	}
	if err := fieldUpdates.Apply(req.GetUpdateMask().GetPaths(), f, src, "only index_config and ttl_config can be updated."); err != nil {
		return nil, err
	}
	if f.IndexConfig == nil {
		f.IndexConfig = defaultField(f.Name).IndexConfig
	}
	overridden := !f.IndexConfig.UsesAncestorConfig || f.TtlConfig != nil
	stored := f
	if !overridden {
		stored = nil
	}
	if err := protokv.Save(s.kv, bucketFields, map[string]*adminpb.Field{f.Name: stored}); err != nil {
		return nil, errorf(codes.Internal, "%v", err)
	}
	if overridden {
		s.fields[f.Name] = f
	} else {
		delete(s.fields, f.Name)
	}
	now := timestamppb.New(s.base.Now())
	meta := &adminpb.FieldOperationMetadata{StartTime: now, EndTime: now, Field: f.Name, State: adminpb.OperationState_SUCCESSFUL}
	return s.ops.Done(m[1], meta, proto.Clone(f).(*adminpb.Field))
}

// dropFields forgets the fields of a deleted database, as Firestore
// deletes everything a database holds. The caller holds s.mu.
func (s *Service) dropFields(db string) error {
	gone := map[string]*adminpb.Field{}
	for name := range s.fields {
		if strings.HasPrefix(name, db+"/collectionGroups/") {
			gone[name] = nil
		}
	}
	if err := protokv.Save(s.kv, bucketFields, gone); err != nil {
		return errorf(codes.Internal, "%v", err)
	}
	for name := range gone {
		delete(s.fields, name)
	}
	return nil
}
