package gcphost

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"sync"

	"github.com/google/go-containerregistry/pkg/authn"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/google"
)

// arHostRE matches Artifact Registry's Docker hosts (and Container
// Registry's, which Artifact Registry serves).
var arHostRE = regexp.MustCompile(`^([a-z0-9-]+-docker\.pkg\.dev|([a-z]+\.)?gcr\.io)$`)

// ARKeychain logs in to Artifact Registry with an OAuth access token of
// the function's identity (Application Default Credentials: the
// metadata server on Cloud Run), as `gcloud auth configure-docker` makes
// Docker do: user oauth2accesstoken. It answers for Artifact Registry's
// hosts and the Hosts listed (a registry serving Artifact Registry under
// another name, such as the simulator's); every other registry is
// anonymous.
type ARKeychain struct {
	Hosts []string
	// Tokens gives the access tokens; nil finds Application Default
	// Credentials on first use (so that a function that never pulls
	// from Artifact Registry never looks for them).
	Tokens oauth2.TokenSource

	mu sync.Mutex
}

// Resolve implements authn.Keychain.
func (k *ARKeychain) Resolve(r authn.Resource) (authn.Authenticator, error) {
	host := r.RegistryStr()
	if !arHostRE.MatchString(host) && !slices.Contains(k.Hosts, host) {
		return authn.Anonymous, nil
	}
	ts, err := k.tokens()
	if err != nil {
		return nil, err
	}
	tok, err := ts.Token()
	if err != nil {
		return nil, fmt.Errorf("access token for Artifact Registry (%s): %w", host, err)
	}
	return &authn.Basic{Username: "oauth2accesstoken", Password: tok.AccessToken}, nil
}

func (k *ARKeychain) tokens() (oauth2.TokenSource, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.Tokens == nil {
		ts, err := google.DefaultTokenSource(context.Background(), "https://www.googleapis.com/auth/cloud-platform")
		if err != nil {
			return nil, fmt.Errorf("Application Default Credentials for Artifact Registry: %w", err)
		}
		k.Tokens = oauth2.ReuseTokenSource(nil, ts)
	}
	return k.Tokens, nil
}
