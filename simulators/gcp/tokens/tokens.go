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
// credentials, as Google's emulators do; only the Artifact Registry's
// Docker endpoint checks its password (CheckAccessToken), so access tokens
// carry their expiry and a MAC of it under a key made at start. A key
// file's assertion is read but its signature is not checked (there are
// no service account keys to check it against yet).
package tokens

import (
	"crypto"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"strconv"
	"strings"
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
	macKey []byte
}

// New makes the signing key for b.AccountID's tokens.
func New(b service.Base) (*Service, error) {
	b = b.Defaults("sockerless-sim")
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, fmt.Errorf("tokens: %w", err)
	}
	number := ProjectNumberOf(b.AccountID)
	var kid [20]byte
	rand.Read(kid[:])
	macKey := make([]byte, 32)
	rand.Read(macKey)
	return &Service{base: b, number: number, key: key, kid: fmt.Sprintf("%x", kid), macKey: macKey}, nil
}

// ProjectNumber is the project's number, fixed for its ID.
func (s *Service) ProjectNumber() string { return s.number }

// ProjectNumberOf is the number of the project with ID id: twelve digits,
// fixed for the ID, so every service names a project's number alike.
func ProjectNumberOf(id string) string {
	h := fnv.New64a()
	h.Write([]byte(id))
	return fmt.Sprintf("%012d", h.Sum64()%900000000000+100000000000)
}

// DefaultAccount is the email of the project's default compute service
// account, which workloads run as unless told otherwise.
func (s *Service) DefaultAccount() string {
	return s.number + "-compute@developer.gserviceaccount.com"
}

const accessPrefix = "ya29.gcpsim-"

// AccessToken is a new access token, valid for an hour:
// ya29.gcpsim-<expiry unix seconds>.<MAC of it>.
func (s *Service) AccessToken() string {
	e := strconv.FormatInt(s.base.Now().Add(tokenLifetime).Unix(), 10)
	return accessPrefix + e + "." + s.mac(e)
}

func (s *Service) mac(expiry string) string {
	m := hmac.New(sha256.New, s.macKey)
	m.Write([]byte(expiry))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// CheckAccessToken fails unless tok is an access token this simulator
// issued since it started, and not expired.
func (s *Service) CheckAccessToken(tok string) error {
	e, mac, ok := strings.Cut(strings.TrimPrefix(tok, accessPrefix), ".")
	secs, err := strconv.ParseInt(e, 10, 64)
	if !ok || err != nil || !strings.HasPrefix(tok, accessPrefix) || !hmac.Equal([]byte(mac), []byte(s.mac(e))) {
		return errors.New("the access token was not issued by this simulator (or it restarted since): get a new one")
	}
	if s.base.Now().Unix() >= secs {
		return errors.New("the access token has expired: get a new one")
	}
	return nil
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
