package tokens

import (
	"encoding/base64"
	"encoding/json"
	"math/big"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/sockerless/sockerless/simulators/kit/service"
)

// Routes are the token endpoints on the simulator's port: the metadata
// server, the OAuth 2.0 token endpoint (POST /token, what a key file's
// token_uri names) and the ID token signing keys (/oauth2/v3/certs).
func (s *Service) Routes() []service.Route {
	return []service.Route{
		{Name: "metadata", Match: func(r *http.Request, _ []byte) bool {
			return strings.HasPrefix(r.URL.Path, metadataPrefix)
		}, Serve: func(w http.ResponseWriter, r *http.Request, _ []byte) { s.serveMetadata(w, r) }},
		{Name: "oauth2-token", Match: func(r *http.Request, _ []byte) bool {
			return r.URL.Path == "/token" && r.Method == http.MethodPost
		}, Serve: s.serveToken},
		{Name: "oauth2-certs", Match: func(r *http.Request, _ []byte) bool {
			return r.URL.Path == "/oauth2/v3/certs" && r.Method == http.MethodGet
		}, Serve: func(w http.ResponseWriter, _ *http.Request, _ []byte) { s.serveCerts(w) }},
	}
}

// oauthError answers as Google's token endpoint does when it refuses.
func oauthError(w http.ResponseWriter, code, description string) {
	writeJSON(w, http.StatusBadRequest, map[string]string{"error": code, "error_description": description})
}

// serveToken exchanges a service account's signed assertion (the
// jwt-bearer grant) or a user's refresh token for an access token, or,
// when the assertion asks for a target_audience, for an ID token.
func (s *Service) serveToken(w http.ResponseWriter, r *http.Request, body []byte) {
	form, err := parseForm(body)
	if err != nil {
		oauthError(w, "invalid_request", "the body must be application/x-www-form-urlencoded: "+err.Error())
		return
	}
	access := map[string]any{"access_token": s.AccessToken(), "expires_in": int(tokenLifetime / time.Second), "token_type": "Bearer"}
	switch grant := form.Get("grant_type"); grant {
	case "urn:ietf:params:oauth:grant-type:jwt-bearer":
		claims, err := assertionClaims(form.Get("assertion"))
		if err != nil {
			oauthError(w, "invalid_grant", "Invalid JWT: "+err.Error())
			return
		}
		email, _ := claims["iss"].(string)
		if email == "" {
			oauthError(w, "invalid_grant", "Invalid JWT: the iss claim must name the service account")
			return
		}
		if aud, _ := claims["target_audience"].(string); aud != "" {
			tok, err := s.IDToken(email, aud, true)
			if err != nil {
				oauthError(w, "server_error", err.Error())
				return
			}
			writeJSON(w, http.StatusOK, map[string]string{"id_token": tok})
			return
		}
		writeJSON(w, http.StatusOK, access)
	case "refresh_token":
		if form.Get("refresh_token") == "" {
			oauthError(w, "invalid_request", "Missing required parameter: refresh_token")
			return
		}
		writeJSON(w, http.StatusOK, access)
	case "":
		oauthError(w, "unsupported_grant_type", "Missing grant_type")
	default:
		oauthError(w, "unsupported_grant_type", "Invalid grant_type: "+grant)
	}
}

// assertionClaims reads the claims of a JWT assertion (its signature is
// not checked: see the package comment).
func assertionClaims(jwt string) (map[string]any, error) {
	parts := strings.Split(jwt, ".")
	if len(parts) != 3 {
		return nil, errText("an assertion has three dot-separated parts")
	}
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return nil, err
	}
	var claims map[string]any
	return claims, json.Unmarshal(raw, &claims)
}

type errText string

func (e errText) Error() string { return string(e) }

// serveCerts publishes the ID token signing key as a JWK set.
func (s *Service) serveCerts(w http.ResponseWriter) {
	pub := s.key.PublicKey
	writeJSON(w, http.StatusOK, map[string]any{"keys": []map[string]string{{
		"kty": "RSA", "alg": "RS256", "use": "sig", "kid": s.kid,
		"n": base64.RawURLEncoding.EncodeToString(pub.N.Bytes()),
		"e": base64.RawURLEncoding.EncodeToString(big.NewInt(int64(pub.E)).Bytes()),
	}}})
}

func parseForm(body []byte) (url.Values, error) { return url.ParseQuery(string(body)) }
