// Package firestoreadmin simulates the databases of the Firestore Admin
// API (google.firestore.admin.v1: create, get, list, update, delete, over
// gRPC and REST as firestore.googleapis.com/v1), as Terraform's
// google_firestore_database and gcloud firestore databases use them, and
// their fields' index and TTL configuration (get, list, update), as
// google_firestore_field sets a TTL policy; the mutations return done
// operations. The Firestore service itself serves
// documents of any database, as the emulator does, whether or not the
// database was created here.
package firestoreadmin

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"

	adminpb "cloud.google.com/go/firestore/apiv1/admin/adminpb"
	lropb "cloud.google.com/go/longrunning/autogen/longrunningpb"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/sockerless/sockerless/simulators/gcp/internal/fieldmask"
	"github.com/sockerless/sockerless/simulators/gcp/internal/googlerest"
	"github.com/sockerless/sockerless/simulators/gcp/internal/lro"
	"github.com/sockerless/sockerless/simulators/gcp/internal/protokv"
	"github.com/sockerless/sockerless/simulators/kit/kv"
	"github.com/sockerless/sockerless/simulators/kit/service"
)

// Layout in bbolt: bucket "firestoreadmin" holds "databases" (name →
// Database as protojson), "fields" (name → overridden Field) and
// "operations".
const (
	bucketRoot = "firestoreadmin"
	bucketDBs  = "databases"
	bucketOps  = "operations"
)

// Service is the Firestore Admin API's databases.
type Service struct {
	adminpb.UnimplementedFirestoreAdminServer
	base service.Base
	kv   *kv.Store
	mu   sync.Mutex
	dbs  map[string]*adminpb.Database
	// fields are the fields with an override (fields.go).
	fields map[string]*adminpb.Field
	ops    *lro.Store
}

// New loads the persisted databases and operations.
func New(b service.Base) (*Service, error) {
	s := &Service{base: b.Defaults(""), dbs: map[string]*adminpb.Database{}, fields: map[string]*adminpb.Field{}}
	var err error
	if s.kv, err = kv.Open(b.DB, bucketRoot, bucketDBs, bucketOps, bucketFields); err != nil {
		return nil, fmt.Errorf("firestoreadmin: %w", err)
	}
	if err := protokv.LoadMap(s.kv, bucketDBs, s.dbs); err != nil {
		return nil, fmt.Errorf("firestoreadmin: %w", err)
	}
	if err := protokv.LoadMap(s.kv, bucketFields, s.fields); err != nil {
		return nil, fmt.Errorf("firestoreadmin: %w", err)
	}
	if s.ops, err = lro.Open(s.kv, bucketOps); err != nil {
		return nil, fmt.Errorf("firestoreadmin: %w", err)
	}
	return s, nil
}

// Register serves the Admin API on g.
func (s *Service) Register(g *grpc.Server) { adminpb.RegisterFirestoreAdminServer(g, s) }

// Operations is the Operations API over this service's operations.
func (s *Service) Operations() lropb.OperationsServer { return s.ops }

const (
	projectPath = `/v1/(projects/[^/:]+)`
	dbPath      = `/v1/(projects/[^/:]+/databases/[^/:]+)`
	opPath      = `/v1/(projects/[^/:]+/databases/[^/:]+/operations/[^/:]+)`
	fieldsPath  = `/v1/(projects/[^/:]+/databases/[^/:]+/collectionGroups/[^/:]+)/fields`
	fieldPath   = `/v1/(projects/[^/:]+/databases/[^/:]+/collectionGroups/[^/:]+/fields/[^/:]+)`
)

// REST is the API's REST methods for databases.
func (s *Service) REST() []googlerest.Method {
	return []googlerest.Method{
		googlerest.Bind(http.MethodPost, projectPath+"/databases", "parent", "database", s.CreateDatabase),
		googlerest.Bind(http.MethodGet, projectPath+"/databases", "parent", "", s.ListDatabases),
		googlerest.Bind(http.MethodGet, dbPath, "name", "", s.GetDatabase),
		googlerest.Bind(http.MethodPatch, dbPath, "database.name", "database", s.UpdateDatabase),
		googlerest.Bind(http.MethodDelete, dbPath, "name", "", s.DeleteDatabase),
		googlerest.Bind(http.MethodGet, opPath, "name", "", s.ops.GetOperation),
		googlerest.Bind(http.MethodGet, fieldPath, "name", "", s.GetField),
		googlerest.Bind(http.MethodPatch, fieldPath, "field.name", "field", s.UpdateField),
		googlerest.Bind(http.MethodGet, fieldsPath, "parent", "", s.ListFields),
	}
}

var (
	projectRE = regexp.MustCompile(`^projects/([^/]+)$`)
	dbRE      = regexp.MustCompile(`^projects/([^/]+)/databases/([^/]+)$`)
	// dbIDRE is Firestore's rule for a database ID other than (default).
	dbIDRE = regexp.MustCompile(`^[a-z][a-z0-9-]{2,61}[a-z0-9]$`)
)

func errorf(c codes.Code, format string, a ...any) error { return status.Errorf(c, format, a...) }

func checkName(re *regexp.Regexp, name, form string) error {
	if !re.MatchString(name) {
		return errorf(codes.InvalidArgument, "Invalid resource name %q: expected %s", name, form)
	}
	return nil
}

func (s *Service) save(db *adminpb.Database, name string) error {
	if err := protokv.Save(s.kv, bucketDBs, map[string]*adminpb.Database{name: db}); err != nil {
		return errorf(codes.Internal, "%v", err)
	}
	if db == nil {
		delete(s.dbs, name)
	} else {
		s.dbs[name] = db
	}
	return nil
}

// etag is a database's version as an etag.
func etag(db *adminpb.Database) string {
	return strconv.FormatInt(db.UpdateTime.AsTime().UnixNano(), 36)
}

// CreateDatabase creates a database of a type, in a location.
func (s *Service) CreateDatabase(_ context.Context, req *adminpb.CreateDatabaseRequest) (*lropb.Operation, error) {
	if err := checkName(projectRE, req.Parent, "projects/{project}"); err != nil {
		return nil, err
	}
	if req.DatabaseId != "(default)" && !dbIDRE.MatchString(req.DatabaseId) {
		return nil, errorf(codes.InvalidArgument, "Invalid database_id %q: (default), or 4 to 63 lowercase letters, digits and hyphens, starting with a letter and ending with a letter or digit.", req.DatabaseId)
	}
	db := proto.Clone(req.GetDatabase()).(*adminpb.Database)
	if db == nil {
		db = &adminpb.Database{}
	}
	if db.LocationId == "" {
		return nil, errorf(codes.InvalidArgument, "location_id is required.")
	}
	if db.Type == adminpb.Database_DATABASE_TYPE_UNSPECIFIED {
		return nil, errorf(codes.InvalidArgument, "type is required: FIRESTORE_NATIVE or DATASTORE_MODE.")
	}
	now := timestamppb.New(s.base.Now())
	db.Name = req.Parent + "/databases/" + req.DatabaseId
	db.Uid = lro.NewID()
	db.CreateTime, db.UpdateTime, db.EarliestVersionTime = now, now, now
	db.VersionRetentionPeriod = durationpb.New(3600e9)
	if db.ConcurrencyMode == adminpb.Database_CONCURRENCY_MODE_UNSPECIFIED {
		db.ConcurrencyMode = adminpb.Database_PESSIMISTIC
	}
	if db.PointInTimeRecoveryEnablement == adminpb.Database_POINT_IN_TIME_RECOVERY_ENABLEMENT_UNSPECIFIED {
		db.PointInTimeRecoveryEnablement = adminpb.Database_POINT_IN_TIME_RECOVERY_DISABLED
	}
	if db.AppEngineIntegrationMode == adminpb.Database_APP_ENGINE_INTEGRATION_MODE_UNSPECIFIED {
		db.AppEngineIntegrationMode = adminpb.Database_DISABLED
	}
	if db.DeleteProtectionState == adminpb.Database_DELETE_PROTECTION_STATE_UNSPECIFIED {
		db.DeleteProtectionState = adminpb.Database_DELETE_PROTECTION_DISABLED
	}
	db.Etag = etag(db)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.dbs[db.Name] != nil {
		return nil, errorf(codes.AlreadyExists, "Database already exists. Please use another database_id")
	}
	if err := s.save(db, db.Name); err != nil {
		return nil, err
	}
	return s.ops.Done(db.Name, &adminpb.CreateDatabaseMetadata{}, db)
}

// GetDatabase returns a database.
func (s *Service) GetDatabase(_ context.Context, req *adminpb.GetDatabaseRequest) (*adminpb.Database, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	db, err := s.find(req.Name)
	if err != nil {
		return nil, err
	}
	return proto.Clone(db).(*adminpb.Database), nil
}

// find is the named database. The caller holds s.mu.
func (s *Service) find(name string) (*adminpb.Database, error) {
	if err := checkName(dbRE, name, "projects/{project}/databases/{database}"); err != nil {
		return nil, err
	}
	if db := s.dbs[name]; db != nil {
		return db, nil
	}
	return nil, errorf(codes.NotFound, "Database '%s' does not exist.", name)
}

// ListDatabases lists a project's databases.
func (s *Service) ListDatabases(_ context.Context, req *adminpb.ListDatabasesRequest) (*adminpb.ListDatabasesResponse, error) {
	if err := checkName(projectRE, req.Parent, "projects/{project}"); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	out := &adminpb.ListDatabasesResponse{}
	for name, db := range s.dbs {
		if strings.HasPrefix(name, req.Parent+"/databases/") {
			out.Databases = append(out.Databases, proto.Clone(db).(*adminpb.Database))
		}
	}
	return out, nil
}

// updatable are the fields an update may change, by field mask path.
var updatable = fieldmask.Setters[*adminpb.Database]{
	"delete_protection_state":           func(d, s *adminpb.Database) { d.DeleteProtectionState = s.DeleteProtectionState },
	"point_in_time_recovery_enablement": func(d, s *adminpb.Database) { d.PointInTimeRecoveryEnablement = s.PointInTimeRecoveryEnablement },
	"concurrency_mode":                  func(d, s *adminpb.Database) { d.ConcurrencyMode = s.ConcurrencyMode },
	"app_engine_integration_mode":       func(d, s *adminpb.Database) { d.AppEngineIntegrationMode = s.AppEngineIntegrationMode },
	"tags":                              func(d, s *adminpb.Database) { d.Tags = s.Tags },
}

// UpdateDatabase changes the fields the mask names (every updatable one
// without a mask).
func (s *Service) UpdateDatabase(_ context.Context, req *adminpb.UpdateDatabaseRequest) (*lropb.Operation, error) {
	in := req.GetDatabase()
	s.mu.Lock()
	defer s.mu.Unlock()
	old, err := s.find(in.Name)
	if err != nil {
		return nil, err
	}
	db := proto.Clone(old).(*adminpb.Database)
	if err := updatable.Apply(req.GetUpdateMask().GetPaths(), db, in, "a database's location, type and ID cannot change."); err != nil {
		return nil, err
	}
	db.UpdateTime = timestamppb.New(s.base.Now())
	db.Etag = etag(db)
	if err := s.save(db, db.Name); err != nil {
		return nil, err
	}
	return s.ops.Done(db.Name, &adminpb.UpdateDatabaseMetadata{}, db)
}

// DeleteDatabase deletes a database unless it is protected, or its etag
// is not the one given.
func (s *Service) DeleteDatabase(_ context.Context, req *adminpb.DeleteDatabaseRequest) (*lropb.Operation, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	db, err := s.find(req.Name)
	if err != nil {
		return nil, err
	}
	if req.Etag != "" && req.Etag != db.Etag {
		return nil, errorf(codes.FailedPrecondition, "The etag %q is not the database's current one.", req.Etag)
	}
	if db.DeleteProtectionState == adminpb.Database_DELETE_PROTECTION_ENABLED {
		return nil, errorf(codes.FailedPrecondition, "Database '%s' has delete protection enabled: disable it first.", req.Name)
	}
	if err := s.save(nil, req.Name); err != nil {
		return nil, err
	}
	if err := s.dropFields(req.Name); err != nil {
		return nil, err
	}
	gone := proto.Clone(db).(*adminpb.Database)
	gone.DeleteTime = timestamppb.New(s.base.Now())
	return s.ops.Done(db.Name, &adminpb.DeleteDatabaseMetadata{}, gone)
}
