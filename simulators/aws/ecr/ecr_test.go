package ecr

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/sockerless/sockerless/simulators/kit/service"
)

// TestRegistryAuth checks which credentials the registry accepts, with a
// clock that can move past the token's expiry.
func TestRegistryAuth(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	s, err := New(Options{Endpoint: func() string { return "http://127.0.0.1:4566" }, Base: service.Base{Now: func() time.Time { return now }}})
	if err != nil {
		t.Fatal(err)
	}
	status, body := s.Handle("us-east-1", "GetAuthorizationToken", []byte(`{}`))
	var out authOut
	if status != 200 || json.Unmarshal(body, &out) != nil {
		t.Fatalf("token: %d %s", status, body)
	}
	raw, _ := base64.StdEncoding.DecodeString(out.AuthorizationData[0].AuthorizationToken)
	user, pass, _ := strings.Cut(string(raw), ":")
	if user != "AWS" || out.AuthorizationData[0].ProxyEndpoint != "http://127.0.0.1:4566" || out.AuthorizationData[0].ExpiresAt != float64(now.Add(TokenLifetime).Unix()) {
		t.Fatalf("authorization data %+v", out.AuthorizationData)
	}
	cases := []struct {
		name       string
		user, pass string
		advance    time.Duration
		wantStatus int
		wantBody   string
	}{
		{"no credentials", "", "", 0, 401, "Not Authorized"},
		{"token", user, pass, 0, 200, ""},
		{"wrong user", "root", pass, 0, 401, "Not Authorized"},
		{"tampered expiry", user, "9" + pass, 0, 401, "Not Authorized"},
		{"expired", user, pass, TokenLifetime, 401, "expired"},
	}
	for _, c := range cases {
		now = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Add(c.advance)
		req := httptest.NewRequest(http.MethodGet, "/v2/", nil)
		if c.user != "" {
			req.SetBasicAuth(c.user, c.pass)
		}
		rec := httptest.NewRecorder()
		s.Registry().ServeHTTP(rec, req)
		if rec.Code != c.wantStatus || !strings.Contains(rec.Body.String(), c.wantBody) {
			t.Errorf("%s: %d %s, want %d %q", c.name, rec.Code, rec.Body, c.wantStatus, c.wantBody)
		}
		if rec.Code == 401 && !strings.HasPrefix(rec.Header().Get("Www-Authenticate"), "Basic ") {
			t.Errorf("%s: challenge %q", c.name, rec.Header().Get("Www-Authenticate"))
		}
	}
}

func TestRepositoryNames(t *testing.T) {
	for name, ok := range map[string]bool{"app": true, "team/app": true, "a.b-c_d/e": true, "a": false, "App": false, "app/": false, "-app": false, "a//b": false} {
		if got := checkName(name) == nil; got != ok {
			t.Errorf("%q valid = %v, want %v", name, got, ok)
		}
	}
}
