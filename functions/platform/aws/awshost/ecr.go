package awshost

import (
	"context"
	"encoding/base64"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/google/go-containerregistry/pkg/authn"
)

// ecrHostRE matches Amazon ECR's private registry hosts.
var ecrHostRE = regexp.MustCompile(`^\d{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$`)

// ECRKeychain logs in to Amazon ECR with GetAuthorizationToken, as the
// Docker credential helper does. It answers for ECR's hosts and for the
// Hosts listed (a registry that serves ECR under another name, such as
// the simulator's); every other registry is anonymous.
type ECRKeychain struct {
	Client *ecr.Client
	Hosts  []string

	mu      sync.Mutex
	auth    authn.AuthConfig
	expires time.Time
}

// Resolve implements authn.Keychain.
func (k *ECRKeychain) Resolve(r authn.Resource) (authn.Authenticator, error) {
	host := r.RegistryStr()
	if !ecrHostRE.MatchString(host) && !containsHost(k.Hosts, host) {
		return authn.Anonymous, nil
	}
	cfg, err := k.token(context.Background())
	if err != nil {
		return nil, err
	}
	return authn.FromConfig(cfg), nil
}

func containsHost(hosts []string, host string) bool {
	for _, h := range hosts {
		if h == host {
			return true
		}
	}
	return false
}

// token returns a cached ECR token, renewing it an hour before it
// expires (they last twelve).
func (k *ECRKeychain) token(ctx context.Context) (authn.AuthConfig, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if time.Until(k.expires) > time.Hour {
		return k.auth, nil
	}
	out, err := k.Client.GetAuthorizationToken(ctx, &ecr.GetAuthorizationTokenInput{})
	if err != nil {
		return authn.AuthConfig{}, fmt.Errorf("ECR GetAuthorizationToken: %w", err)
	}
	if len(out.AuthorizationData) == 0 || out.AuthorizationData[0].AuthorizationToken == nil {
		return authn.AuthConfig{}, fmt.Errorf("ECR GetAuthorizationToken returned no token")
	}
	d := out.AuthorizationData[0]
	raw, err := base64.StdEncoding.DecodeString(*d.AuthorizationToken)
	if err != nil {
		return authn.AuthConfig{}, fmt.Errorf("ECR token: %w", err)
	}
	user, pass, _ := strings.Cut(string(raw), ":")
	k.auth = authn.AuthConfig{Username: user, Password: pass}
	k.expires = time.Now().Add(12 * time.Hour)
	if d.ExpiresAt != nil {
		k.expires = *d.ExpiresAt
	}
	return k.auth, nil
}
