// Package tokens issues Google access tokens and ID tokens the way a
// workload gets them: from the metadata server (GCE_METADATA_HOST, as on
// Compute Engine, Cloud Run and Cloud Functions) and from the OAuth 2.0
// token endpoint a service account key's token_uri names. With it,
// Application Default Credentials, google.golang.org/api/idtoken and
// cloud.google.com/go/compute/metadata work unchanged against the
// simulator.
//
// ID tokens are RS256 JWTs signed with a key made when the simulator
// starts, published at /oauth2/v3/certs. The simulated APIs accept any
// credentials, as Google's emulators do, so access tokens are opaque and
// a key file's assertion is read but its signature is not checked
// (there are no service account keys to check it against yet).
package tokens

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"time"

	"github.com/sockerless/sockerless/simulators/kit/service"
)

// tokenLifetime is how long a token lasts, as Google's do.
const tokenLifetime = time.Hour

// Service issues tokens for one project.
type Service struct {
	base   service.Base
	number string // the project's number
	key    *rsa.PrivateKey
	kid    string
}

// New makes the signing key for b.AccountID's tokens.
func New(b service.Base) (*Service, error) {
	b = b.Defaults("sockerless-sim")
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, fmt.Errorf("tokens: %w", err)
	}
	h := fnv.New64a()
	h.Write([]byte(b.AccountID))
	// A project number is twelve digits, fixed for the project.
	number := fmt.Sprintf("%012d", h.Sum64()%900000000000+100000000000)
	var kid [20]byte
	rand.Read(kid[:])
	return &Service{base: b, number: number, key: key, kid: fmt.Sprintf("%x", kid)}, nil
}

// DefaultAccount is the email of the project's default compute service
// account, which workloads run as unless told otherwise.
func (s *Service) DefaultAccount() string {
	return s.number + "-compute@developer.gserviceaccount.com"
}

// accessToken is a new opaque access token.
func accessToken() string {
	var b [32]byte
	rand.Read(b[:])
	return "ya29.gcpsim-" + base64.RawURLEncoding.EncodeToString(b[:])
}

// IDToken is a signed ID token for email with audience aud; full adds
// the email claims (format=full on the metadata server).
func (s *Service) IDToken(email, aud string, full bool) (string, error) {
	now := s.base.Now()
	claims := map[string]any{
		"iss": "https://accounts.google.com", "aud": aud, "azp": email, "sub": s.subject(email),
		"iat": now.Unix(), "exp": now.Add(tokenLifetime).Unix(),
	}
	if full {
		claims["email"], claims["email_verified"] = email, true
	}
	return s.sign(claims)
}

// subject is the account's stable numeric id (the sub claim).
func (s *Service) subject(email string) string {
	h := fnv.New64a()
	h.Write([]byte(email))
	return fmt.Sprintf("1%020d", h.Sum64())
}

func (s *Service) sign(claims map[string]any) (string, error) {
	header, _ := json.Marshal(map[string]string{"alg": "RS256", "kid": s.kid, "typ": "JWT"})
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", err
	}
	signed := base64.RawURLEncoding.EncodeToString(header) + "." + base64.RawURLEncoding.EncodeToString(payload)
	sum := sha256.Sum256([]byte(signed))
	sig, err := rsa.SignPKCS1v15(rand.Reader, s.key, crypto.SHA256, sum[:])
	if err != nil {
		return "", err
	}
	return signed + "." + base64.RawURLEncoding.EncodeToString(sig), nil
}
