package server

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"io"
	"net/http"
	"strings"
	"testing"

	"cloud.google.com/go/auth/credentials"
	"cloud.google.com/go/compute/metadata"
	"google.golang.org/api/idtoken"
	"google.golang.org/api/option"
)

const cloudPlatform = "https://www.googleapis.com/auth/cloud-platform"

// noLocalCredentials leaves ADC nothing to find on this machine (no key
// file, no gcloud login), so what it finds is the simulator's.
func noLocalCredentials(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("CLOUDSDK_CONFIG", home)
	t.Setenv("GOOGLE_APPLICATION_CREDENTIALS", "")
}

// toSimulator sends requests for Google's hosts to the simulator, as
// DNS would send them to Google: how a stock validator fetches the
// simulator's ID token signing keys.
type toSimulator struct{ addr string }

func (t toSimulator) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.URL.Scheme, r.URL.Host = "http", t.addr
	return http.DefaultTransport.RoundTrip(r)
}

// validator is google.golang.org/api/idtoken's validator checking
// against the simulator's signing keys.
func validator(t *testing.T, s *Server) *idtoken.Validator {
	t.Helper()
	v, err := idtoken.NewValidator(context.Background(), option.WithHTTPClient(&http.Client{Transport: toSimulator{s.Addr()}}))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// idTokenFor gets an ID token for aud through idtoken (opts: where its
// credentials come from) and validates it against the simulator's keys.
func idTokenFor(t *testing.T, s *Server, aud string, opts ...option.ClientOption) *idtoken.Payload {
	t.Helper()
	ctx := context.Background()
	ts, err := idtoken.NewTokenSource(ctx, aud, opts...)
	if err != nil {
		t.Fatal(err)
	}
	id, err := ts.Token()
	if err != nil {
		t.Fatal(err)
	}
	p, err := validator(t, s).Validate(ctx, id.AccessToken, aud)
	if err != nil {
		t.Fatalf("a stock validator refused the ID token: %v", err)
	}
	if _, err := validator(t, s).Validate(ctx, id.AccessToken, "https://another.example"); err == nil {
		t.Fatal("the validator accepted the token for another audience")
	}
	return p
}

// keyFileToken is an access token for a service account key file, got
// through ADC as any program reads a key file.
func keyFileToken(t *testing.T, file []byte) string {
	t.Helper()
	creds, err := credentials.DetectDefault(&credentials.DetectOptions{Scopes: []string{cloudPlatform}, CredentialsJSON: file})
	if err != nil {
		t.Fatal(err)
	}
	tok, err := creds.Token(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return tok.Value
}

// TestMetadataServerADC proves what a workload on Google Cloud does
// works against the simulator at GCE_METADATA_HOST: Application Default
// Credentials find the metadata server and get access tokens, the
// metadata package reads the project and account, and idtoken gets ID
// tokens a stock validator accepts.
func TestMetadataServerADC(t *testing.T) {
	srv := startServer(t, Config{ProjectID: "adc-project"})
	noLocalCredentials(t)
	t.Setenv("GCE_METADATA_HOST", srv.Addr())
	ctx := context.Background()

	creds, err := credentials.DetectDefault(&credentials.DetectOptions{Scopes: []string{cloudPlatform}})
	if err != nil {
		t.Fatal(err)
	}
	tok, err := creds.Token(ctx)
	if err != nil || !strings.HasPrefix(tok.Value, "ya29.") || tok.Type != "Bearer" {
		t.Fatalf("ADC token: %+v %v", tok, err)
	}
	if p, err := creds.ProjectID(ctx); err != nil || p != "adc-project" {
		t.Fatalf("ADC project: %q %v", p, err)
	}
	email, err := metadata.EmailWithContext(ctx, "default")
	if err != nil || !strings.HasSuffix(email, "-compute@developer.gserviceaccount.com") {
		t.Fatalf("default account: %q %v", email, err)
	}
	if n, err := metadata.NumericProjectIDWithContext(ctx); err != nil || len(n) != 12 {
		t.Fatalf("project number: %q %v", n, err)
	}

	if p := idTokenFor(t, srv, "https://control-plane.example"); p.Claims["email"] != email || p.Issuer != "https://accounts.google.com" {
		t.Fatalf("ID token claims: %+v", p)
	}
}

// TestTokenEndpointKeyFile proves a service account key file whose
// token_uri names the simulator gets access tokens and ID tokens from
// it, through ADC and idtoken as they read any key file.
func TestTokenEndpointKeyFile(t *testing.T) {
	srv := startServer(t, Config{})
	noLocalCredentials(t)
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	const email = "control-plane@sockerless-sim.iam.gserviceaccount.com"
	file, _ := json.Marshal(map[string]string{
		"type": "service_account", "project_id": "sockerless-sim", "private_key_id": "k1", "client_id": "1",
		"private_key":  string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)})),
		"client_email": email, "token_uri": srv.URL() + "/token",
	})
	if tok := keyFileToken(t, file); !strings.HasPrefix(tok, "ya29.") {
		t.Fatalf("key file token: %q", tok)
	}
	if p := idTokenFor(t, srv, "https://control-plane.example", option.WithAuthCredentialsJSON(option.ServiceAccount, file)); p.Claims["email"] != email {
		t.Fatalf("key file ID token: %+v", p)
	}
}

// TestTokenEndpointsRefuse proves the refusals carry the shapes clients
// parse: the metadata server's 403 without its header, OAuth's error
// JSON for a grant it cannot honour.
func TestTokenEndpointsRefuse(t *testing.T) {
	srv := startServer(t, Config{})
	get := func(path string, header bool) (int, string) {
		req, _ := http.NewRequest(http.MethodGet, srv.URL()+path, nil)
		if header {
			req.Header.Set("Metadata-Flavor", "Google")
		}
		return do(t, req)
	}
	post := func(form string) (int, string) {
		req, _ := http.NewRequest(http.MethodPost, srv.URL()+"/token", strings.NewReader(form))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		return do(t, req)
	}
	cases := []struct {
		name     string
		call     func() (int, string)
		status   int
		contains string
	}{
		{"metadata without Metadata-Flavor", func() (int, string) { return get("/computeMetadata/v1/project/project-id", false) }, 403, "Metadata-Flavor"},
		{"an unknown metadata key", func() (int, string) { return get("/computeMetadata/v1/instance/nothing", true) }, 404, "Not Found"},
		{"an identity without audience", func() (int, string) {
			return get("/computeMetadata/v1/instance/service-accounts/default/identity", true)
		}, 400, "audience"},
		{"an unknown grant type", func() (int, string) { return post("grant_type=password") }, 400, `"unsupported_grant_type"`},
		{"an assertion that is not a JWT", func() (int, string) {
			return post("grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion=nope")
		}, 400, `"invalid_grant"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			status, body := c.call()
			if status != c.status || !strings.Contains(body, c.contains) {
				t.Fatalf("got %d %s, want %d containing %s", status, body, c.status, c.contains)
			}
		})
	}
}

func do(t testing.TB, req *http.Request) (int, string) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}
