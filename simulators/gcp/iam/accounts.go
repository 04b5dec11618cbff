package iam

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"regexp"
	"slices"
	"strings"

	adminpb "cloud.google.com/go/iam/admin/apiv1/adminpb"
	"cloud.google.com/go/iam/apiv1/iampb"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/emptypb"

	"github.com/sockerless/sockerless/simulators/gcp/internal/protokv"
)

var (
	projectRE = regexp.MustCompile(`^projects/([^/]+)$`)
	accountRE = regexp.MustCompile(`^projects/([^/]+)/serviceAccounts/([^/]+)$`)
	// accountIDRE is IAM's rule for an account id: 6 to 30 lowercase
	// letters, digits and hyphens, starting with a letter.
	accountIDRE = regexp.MustCompile(`^[a-z][-a-z0-9]{4,28}[a-z0-9]$`)
)

// account finds a service account by name: projects/P/serviceAccounts/
// ID, where ID is its email or unique id and P may be "-".
func (st *state) account(name string) (*adminpb.ServiceAccount, error) {
	m := accountRE.FindStringSubmatch(name)
	if m == nil {
		return nil, errorf(codes.InvalidArgument, "Invalid service account name %q: expected projects/{PROJECT_ID}/serviceAccounts/{EMAIL_OR_UNIQUE_ID}", name)
	}
	for _, a := range st.accounts {
		if (a.Email == m[2] || a.UniqueId == m[2]) && (m[1] == "-" || m[1] == a.ProjectId) {
			return a, nil
		}
	}
	return nil, errorf(codes.NotFound, "Service account %s does not exist.", m[2])
}

func (s *Service) CreateServiceAccount(_ context.Context, req *adminpb.CreateServiceAccountRequest) (*adminpb.ServiceAccount, error) {
	m := projectRE.FindStringSubmatch(req.Name)
	if m == nil {
		return nil, errorf(codes.InvalidArgument, "Invalid project name %q: expected projects/{PROJECT_ID}", req.Name)
	}
	if !accountIDRE.MatchString(req.AccountId) {
		return nil, errorf(codes.InvalidArgument, "account_id %q is invalid: it must be 6 to 30 lowercase letters, digits or hyphens, start with a letter and not end with a hyphen", req.AccountId)
	}
	email := req.AccountId + "@" + m[1] + ".iam.gserviceaccount.com"
	a := &adminpb.ServiceAccount{}
	if req.ServiceAccount != nil {
		a.DisplayName, a.Description = req.ServiceAccount.DisplayName, req.ServiceAccount.Description
	}
	sum := sha256.Sum256([]byte(email))
	id := fmt.Sprintf("1%020d", binary.BigEndian.Uint64(sum[:8]))
	a.Name, a.ProjectId, a.Email, a.UniqueId, a.Oauth2ClientId = "projects/"+m[1]+"/serviceAccounts/"+email, m[1], email, id, id
	a.Etag = []byte("BwX" + id[:6])
	return a, s.locked(func(st *state) error {
		if _, err := st.account(a.Name); err == nil {
			return errorf(codes.AlreadyExists, "Service account %s already exists within project projects/%s.", req.AccountId, m[1])
		}
		st.accounts[a.Name] = a
		return protokv.Save(st.store, bucketAccounts, map[string]*adminpb.ServiceAccount{a.Name: a})
	})
}

func (s *Service) GetServiceAccount(_ context.Context, req *adminpb.GetServiceAccountRequest) (*adminpb.ServiceAccount, error) {
	var out *adminpb.ServiceAccount
	return out, s.locked(func(st *state) error {
		a, err := st.account(req.Name)
		if err == nil {
			out = proto.Clone(a).(*adminpb.ServiceAccount)
		}
		return err
	})
}

func (s *Service) ListServiceAccounts(_ context.Context, req *adminpb.ListServiceAccountsRequest) (*adminpb.ListServiceAccountsResponse, error) {
	m := projectRE.FindStringSubmatch(req.Name)
	if m == nil {
		return nil, errorf(codes.InvalidArgument, "Invalid project name %q: expected projects/{PROJECT_ID}", req.Name)
	}
	out := &adminpb.ListServiceAccountsResponse{}
	return out, s.locked(func(st *state) error {
		for _, a := range st.accounts {
			if a.ProjectId == m[1] {
				out.Accounts = append(out.Accounts, proto.Clone(a).(*adminpb.ServiceAccount))
			}
		}
		sortByName(out.Accounts)
		return nil
	})
}

func (s *Service) PatchServiceAccount(_ context.Context, req *adminpb.PatchServiceAccountRequest) (*adminpb.ServiceAccount, error) {
	if req.ServiceAccount == nil {
		return nil, errorf(codes.InvalidArgument, "service_account is required")
	}
	var out *adminpb.ServiceAccount
	return out, s.locked(func(st *state) error {
		a, err := st.account(req.ServiceAccount.Name)
		if err != nil {
			return err
		}
		for _, p := range req.GetUpdateMask().GetPaths() {
			switch p {
			case "display_name", "displayName":
				a.DisplayName = req.ServiceAccount.DisplayName
			case "description":
				a.Description = req.ServiceAccount.Description
			default:
				return errorf(codes.InvalidArgument, "update_mask: field %q cannot be updated; only display_name and description can", p)
			}
		}
		out = proto.Clone(a).(*adminpb.ServiceAccount)
		return protokv.Save(st.store, bucketAccounts, map[string]*adminpb.ServiceAccount{a.Name: a})
	})
}

// DeleteServiceAccount deletes the account with its keys and policy.
func (s *Service) DeleteServiceAccount(_ context.Context, req *adminpb.DeleteServiceAccountRequest) (*emptypb.Empty, error) {
	return &emptypb.Empty{}, s.locked(func(st *state) error {
		a, err := st.account(req.Name)
		if err != nil {
			return err
		}
		gone := map[string]*adminpb.ServiceAccountKey{}
		for name := range st.keys {
			if strings.HasPrefix(name, a.Name+"/keys/") {
				gone[name] = nil
				delete(st.keys, name)
			}
		}
		delete(st.accounts, a.Name)
		delete(st.policies, a.Name)
		if err := protokv.Save(st.store, bucketKeys, gone); err != nil {
			return err
		}
		if err := protokv.Save(st.store, bucketPolicies, map[string]*iampb.Policy{a.Name: nil}); err != nil {
			return err
		}
		return protokv.Save(st.store, bucketAccounts, map[string]*adminpb.ServiceAccount{a.Name: nil})
	})
}

func sortByName(as []*adminpb.ServiceAccount) {
	slices.SortFunc(as, func(a, b *adminpb.ServiceAccount) int { return strings.Compare(a.Name, b.Name) })
}
