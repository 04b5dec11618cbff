package iam

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"strings"
	"time"

	adminpb "cloud.google.com/go/iam/admin/apiv1/adminpb"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/sockerless/sockerless/simulators/gcp/internal/protokv"
)

// CreateServiceAccountKey makes an RSA 2048 key and returns it as a
// Google credentials file (the only private key type made here); only
// its public half is kept, as Google keeps.
func (s *Service) CreateServiceAccountKey(_ context.Context, req *adminpb.CreateServiceAccountKeyRequest) (*adminpb.ServiceAccountKey, error) {
	switch req.PrivateKeyType {
	case adminpb.ServiceAccountPrivateKeyType_TYPE_UNSPECIFIED, adminpb.ServiceAccountPrivateKeyType_TYPE_GOOGLE_CREDENTIALS_FILE:
	default:
		return nil, errorf(codes.InvalidArgument, "private_key_type %v: gcpsim makes only Google credentials files (TYPE_GOOGLE_CREDENTIALS_FILE)", req.PrivateKeyType)
	}
	switch req.KeyAlgorithm {
	case adminpb.ServiceAccountKeyAlgorithm_KEY_ALG_UNSPECIFIED, adminpb.ServiceAccountKeyAlgorithm_KEY_ALG_RSA_2048:
	default:
		return nil, errorf(codes.InvalidArgument, "key_algorithm %v: gcpsim makes only KEY_ALG_RSA_2048 keys", req.KeyAlgorithm)
	}
	var a *adminpb.ServiceAccount
	if err := s.locked(func(st *state) (err error) {
		a, err = st.account(req.Name)
		return err
	}); err != nil {
		return nil, err
	}
	priv, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, errorf(codes.Internal, "%v", err)
	}
	now := s.st.Now()
	var id [20]byte
	rand.Read(id[:])
	keyID := hex.EncodeToString(id[:])
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(now.UnixNano()), Subject: pkix.Name{CommonName: keyID},
		NotBefore: now, NotAfter: time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &priv.PublicKey, priv)
	if err != nil {
		return nil, errorf(codes.Internal, "%v", err)
	}
	pkcs8, _ := x509.MarshalPKCS8PrivateKey(priv)
	file, _ := json.MarshalIndent(map[string]string{
		"type": "service_account", "project_id": a.ProjectId, "private_key_id": keyID,
		"private_key":  string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pkcs8})),
		"client_email": a.Email, "client_id": a.UniqueId, "token_uri": s.tokenURI(),
		"universe_domain": "googleapis.com",
	}, "", "  ")
	k := &adminpb.ServiceAccountKey{
		Name: a.Name + "/keys/" + keyID, PrivateKeyType: adminpb.ServiceAccountPrivateKeyType_TYPE_GOOGLE_CREDENTIALS_FILE,
		KeyAlgorithm:   adminpb.ServiceAccountKeyAlgorithm_KEY_ALG_RSA_2048,
		PublicKeyData:  pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		ValidAfterTime: timestamppb.New(now), ValidBeforeTime: timestamppb.New(tmpl.NotAfter),
		KeyOrigin: adminpb.ServiceAccountKeyOrigin_GOOGLE_PROVIDED, KeyType: adminpb.ListServiceAccountKeysRequest_USER_MANAGED,
	}
	err = s.locked(func(st *state) error {
		if _, err := st.account(a.Name); err != nil {
			return err // deleted meanwhile
		}
		st.keys[k.Name] = k
		return protokv.Save(st.store, bucketKeys, map[string]*adminpb.ServiceAccountKey{k.Name: k})
	})
	out := proto.Clone(k).(*adminpb.ServiceAccountKey)
	out.PublicKeyData, out.PrivateKeyData = nil, file
	return out, err
}

// key finds a key of an existing account.
func (st *state) key(name string) (*adminpb.ServiceAccountKey, error) {
	acct, id, ok := strings.Cut(name, "/keys/")
	if !ok {
		return nil, errorf(codes.InvalidArgument, "Invalid key name %q: expected projects/{PROJECT_ID}/serviceAccounts/{EMAIL}/keys/{KEY_ID}", name)
	}
	a, err := st.account(acct)
	if err != nil {
		return nil, err
	}
	if k := st.keys[a.Name+"/keys/"+id]; k != nil {
		return k, nil
	}
	return nil, errorf(codes.NotFound, "Service account key %s does not exist.", id)
}

// withPublicKey is k as answered for publicKeyType: the certificate, the
// raw key or neither.
func withPublicKey(k *adminpb.ServiceAccountKey, t adminpb.ServiceAccountPublicKeyType) *adminpb.ServiceAccountKey {
	out := proto.Clone(k).(*adminpb.ServiceAccountKey)
	switch t {
	case adminpb.ServiceAccountPublicKeyType_TYPE_X509_PEM_FILE:
	case adminpb.ServiceAccountPublicKeyType_TYPE_RAW_PUBLIC_KEY:
		if b, _ := pem.Decode(k.PublicKeyData); b != nil {
			if cert, err := x509.ParseCertificate(b.Bytes); err == nil {
				out.PublicKeyData, _ = x509.MarshalPKIXPublicKey(cert.PublicKey)
			}
		}
	default:
		out.PublicKeyData = nil
	}
	return out
}

func (s *Service) GetServiceAccountKey(_ context.Context, req *adminpb.GetServiceAccountKeyRequest) (*adminpb.ServiceAccountKey, error) {
	var out *adminpb.ServiceAccountKey
	return out, s.locked(func(st *state) error {
		k, err := st.key(req.Name)
		if err == nil {
			out = withPublicKey(k, req.PublicKeyType)
		}
		return err
	})
}

func (s *Service) ListServiceAccountKeys(_ context.Context, req *adminpb.ListServiceAccountKeysRequest) (*adminpb.ListServiceAccountKeysResponse, error) {
	out := &adminpb.ListServiceAccountKeysResponse{}
	return out, s.locked(func(st *state) error {
		a, err := st.account(req.Name)
		if err != nil {
			return err
		}
		for name, k := range st.keys {
			if strings.HasPrefix(name, a.Name+"/keys/") {
				out.Keys = append(out.Keys, withPublicKey(k, adminpb.ServiceAccountPublicKeyType_TYPE_X509_PEM_FILE))
			}
		}
		return nil
	})
}

func (s *Service) DeleteServiceAccountKey(_ context.Context, req *adminpb.DeleteServiceAccountKeyRequest) (*emptypb.Empty, error) {
	return &emptypb.Empty{}, s.locked(func(st *state) error {
		k, err := st.key(req.Name)
		if err != nil {
			return err
		}
		delete(st.keys, k.Name)
		return protokv.Save(st.store, bucketKeys, map[string]*adminpb.ServiceAccountKey{k.Name: nil})
	})
}
