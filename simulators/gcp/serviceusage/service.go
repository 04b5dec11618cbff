// Package serviceusage simulates the Service Usage API
// (serviceusage.googleapis.com/v1) as google.golang.org/api/serviceusage/v1
// and Terraform's google_project_service call it: a project's services
// enabled, disabled (one at a time or batchEnable), read and listed with
// the state:ENABLED filter, and the operations those mutations return,
// which are done when returned. Only the services of the catalog below
// exist; others are refused as Google refuses an unknown service. The
// simulator serves every project, so any well-formed project ID has
// services; none is enabled until enabled here. Enabling is bookkeeping:
// the simulated APIs answer whether or not their service is enabled, as
// an emulator does.
package serviceusage

import (
	"fmt"
	"regexp"
	"sync"

	"github.com/sockerless/sockerless/simulators/gcp/tokens"
	"github.com/sockerless/sockerless/simulators/kit/kv"
	"github.com/sockerless/sockerless/simulators/kit/service"
)

// Layout in bbolt: bucket "serviceusage" holds "enabled" (project ID →
// its enabled services' names) and "operations" (name → Operation).
const (
	bucketRoot       = "serviceusage"
	bucketEnabled    = "enabled"
	bucketOperations = "operations"
)

// Catalog is the services a project can enable, by name, with the title
// Google lists them under: the APIs the simulator serves, and those the
// Sockerless GCP deployment enables.
var Catalog = map[string]string{
	"artifactregistry.googleapis.com":     "Artifact Registry API",
	"cloudbuild.googleapis.com":           "Cloud Build API",
	"cloudfunctions.googleapis.com":       "Cloud Functions API",
	"cloudresourcemanager.googleapis.com": "Cloud Resource Manager API",
	"firestore.googleapis.com":            "Cloud Firestore API",
	"iam.googleapis.com":                  "Identity and Access Management (IAM) API",
	"iamcredentials.googleapis.com":       "IAM Service Account Credentials API",
	"logging.googleapis.com":              "Cloud Logging API",
	"run.googleapis.com":                  "Cloud Run Admin API",
	"serviceusage.googleapis.com":         "Service Usage API",
	"storage.googleapis.com":              "Cloud Storage API",
	"storage-api.googleapis.com":          "Google Cloud Storage JSON API",
}

// projectIDRE is Google's rule for a project ID: 6 to 30 lowercase
// letters, digits and hyphens, starting with a letter, not ending with a
// hyphen; a project number is digits.
var (
	projectIDRE = regexp.MustCompile(`^([a-z][a-z0-9-]{4,28}[a-z0-9]|[0-9]{1,19})$`)
	numberRE    = regexp.MustCompile(`^[0-9]+$`)
)

// Service is the Service Usage API.
type Service struct {
	base    service.Base
	kv      *kv.Store
	mu      sync.Mutex
	enabled map[string]map[string]bool // project ID → service → enabled
	ops     map[string]*operation
}

// New loads the enabled services and the operations from b.DB.
func New(b service.Base) (*Service, error) {
	s := &Service{base: b.Defaults(""), enabled: map[string]map[string]bool{}, ops: map[string]*operation{}}
	var err error
	if s.kv, err = kv.Open(b.DB, bucketRoot, bucketEnabled, bucketOperations); err != nil {
		return nil, fmt.Errorf("serviceusage: %w", err)
	}
	err = kv.Load(s.kv, bucketEnabled, func(project string, names *[]string) error {
		s.enabled[project] = map[string]bool{}
		for _, n := range *names {
			s.enabled[project][n] = true
		}
		return nil
	})
	if err == nil {
		err = kv.Load(s.kv, bucketOperations, func(name string, op *operation) error {
			s.ops[name] = op
			return nil
		})
	}
	if err != nil {
		return nil, fmt.Errorf("serviceusage: %w", err)
	}
	return s, nil
}

// project is the ID a project path segment names: the configured
// project's number names that project; any other number is one the
// simulator does not know.
func (s *Service) project(segment string) (string, bool) {
	if !projectIDRE.MatchString(segment) {
		return "", false
	}
	if numberRE.MatchString(segment) {
		return s.base.AccountID, segment == tokens.ProjectNumberOf(s.base.AccountID)
	}
	return segment, true
}

// saveEnabled persists project's enabled services. The caller holds s.mu.
func (s *Service) saveEnabled(project string) error {
	var names []string
	for n, on := range s.enabled[project] {
		if on {
			names = append(names, n)
		}
	}
	if len(names) == 0 {
		return s.kv.Delete(bucketEnabled, project)
	}
	return s.kv.Put(bucketEnabled, project, names)
}
