// Package iam simulates the IAM admin API for service accounts, as the
// Go SDK (cloud.google.com/go/iam/admin/apiv1, gRPC) and its REST form
// (iam.googleapis.com/v1, as gcloud, Terraform and
// google.golang.org/api/iam/v1 call it) speak it: service accounts
// created, read, listed, patched and deleted; keys created as Google's
// credentials files, whose token_uri names this simulator's token
// endpoint, listed, read and deleted; a service account's IAM policy read
// and set with its etag.
package iam

import (
	"fmt"
	"net/http"

	adminpb "cloud.google.com/go/iam/admin/apiv1/adminpb"
	"cloud.google.com/go/iam/apiv1/iampb"
	"go.etcd.io/bbolt"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/sockerless/sockerless/simulators/gcp/internal/googlerest"
	"github.com/sockerless/sockerless/simulators/gcp/internal/protokv"
	"github.com/sockerless/sockerless/simulators/kit/kv"
	"github.com/sockerless/sockerless/simulators/kit/service"
)

// Layout in bbolt: bucket "iam" holds "accounts" (by name), "keys" (by
// name; public half only, as Google keeps) and "policies" (by resource).
const (
	bucketRoot     = "iam"
	bucketAccounts = "accounts"
	bucketKeys     = "keys"
	bucketPolicies = "policies"
)

// Service is the IAM admin API.
type Service struct {
	adminpb.UnimplementedIAMServer
	st *service.State[*state]
	// tokenURI is what the key files name as token_uri.
	tokenURI func() string
}

type state struct {
	store    *kv.Store
	accounts map[string]*adminpb.ServiceAccount
	keys     map[string]*adminpb.ServiceAccountKey
	policies map[string]*iampb.Policy
}

func openState(db *bbolt.DB) (*state, error) {
	store, err := kv.Open(db, bucketRoot, bucketAccounts, bucketKeys, bucketPolicies)
	if err != nil {
		return nil, err
	}
	s := &state{store: store, accounts: map[string]*adminpb.ServiceAccount{},
		keys: map[string]*adminpb.ServiceAccountKey{}, policies: map[string]*iampb.Policy{}}
	for _, err := range []error{
		protokv.LoadMap(store, bucketAccounts, s.accounts),
		protokv.LoadMap(store, bucketKeys, s.keys),
		protokv.LoadMap(store, bucketPolicies, s.policies),
	} {
		if err != nil {
			return nil, err
		}
	}
	return s, nil
}

// New loads the accounts, keys and policies from b.DB; tokenURI is the
// simulator's token endpoint, asked when a key file is made.
func New(b service.Base, tokenURI func() string) (*Service, error) {
	st, err := service.Open(b, "", openState)
	if err != nil {
		return nil, fmt.Errorf("iam: %w", err)
	}
	return &Service{st: st, tokenURI: tokenURI}, nil
}

// Register serves the gRPC API on g.
func (s *Service) Register(g *grpc.Server) { adminpb.RegisterIAMServer(g, s) }

func errorf(c codes.Code, format string, a ...any) error { return status.Errorf(c, format, a...) }

func (s *Service) locked(f func(st *state) error) error {
	s.st.Mu.Lock()
	defer s.st.Mu.Unlock()
	return f(s.st.St)
}

const (
	project = `/v1/(projects/[^/:]+)`
	account = `/v1/(projects/[^/:]+/serviceAccounts/[^/:]+)`
	key     = `/v1/(projects/[^/:]+/serviceAccounts/[^/:]+/keys/[^/:]+)`
)

// REST is the API's REST methods (iam.googleapis.com/v1).
func (s *Service) REST() []googlerest.Method {
	return []googlerest.Method{
		googlerest.Bind(http.MethodPost, project+"/serviceAccounts", "name", "*", s.CreateServiceAccount),
		googlerest.Bind(http.MethodGet, project+"/serviceAccounts", "name", "", s.ListServiceAccounts),
		googlerest.Bind(http.MethodGet, account, "name", "", s.GetServiceAccount),
		googlerest.Bind(http.MethodPatch, account, "service_account.name", "*", s.PatchServiceAccount),
		googlerest.Bind(http.MethodDelete, account, "name", "", s.DeleteServiceAccount),
		googlerest.Bind(http.MethodPost, account+"/keys", "name", "*", s.CreateServiceAccountKey),
		googlerest.Bind(http.MethodGet, account+"/keys", "name", "", s.ListServiceAccountKeys),
		googlerest.Bind(http.MethodGet, key, "name", "", s.GetServiceAccountKey),
		googlerest.Bind(http.MethodDelete, key, "name", "", s.DeleteServiceAccountKey),
		googlerest.Bind(http.MethodPost, account+":getIamPolicy", "resource", "*", s.GetIamPolicy),
		googlerest.Bind(http.MethodPost, account+":setIamPolicy", "resource", "*", s.SetIamPolicy),
	}
}
