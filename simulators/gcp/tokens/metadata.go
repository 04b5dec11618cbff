package tokens

import (
	"encoding/json"
	"net/http"
	"strings"
	"time"
)

// metadataPrefix is where the metadata server's values live.
const metadataPrefix = "/computeMetadata/v1/"

// serveMetadata answers the metadata server's requests as Compute
// Engine's does: only with the Metadata-Flavor: Google header, values as
// text, tokens as JSON.
func (s *Service) serveMetadata(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Metadata-Flavor", "Google")
	if r.Header.Get("Metadata-Flavor") != "Google" {
		http.Error(w, "Missing required header \"Metadata-Flavor\": \"Google\"", http.StatusForbidden)
		return
	}
	if r.Method != http.MethodGet {
		http.Error(w, "Method not allowed: the metadata server answers GET", http.StatusMethodNotAllowed)
		return
	}
	path := strings.TrimPrefix(r.URL.Path, metadataPrefix)
	q := r.URL.Query()
	text := func(v string) {
		w.Header().Set("Content-Type", "application/text")
		w.Write([]byte(v))
	}
	zone := "us-central1-a"
	switch path {
	case "project/project-id":
		text(s.base.AccountID)
		return
	case "project/numeric-project-id":
		text(s.number)
		return
	case "instance/id":
		text(s.subject("instance"))
		return
	case "instance/zone":
		text("projects/" + s.number + "/zones/" + zone)
		return
	case "instance/region":
		text("projects/" + s.number + "/regions/" + zone[:len(zone)-2])
		return
	case "instance/hostname", "instance/name":
		text("gcpsim")
		return
	case "universe/universe-domain":
		text("googleapis.com")
		return
	case "instance/service-accounts/", "instance/service-accounts":
		text("default/\n" + s.DefaultAccount() + "/\n")
		return
	}
	account, leaf, ok := strings.Cut(strings.TrimPrefix(path, "instance/service-accounts/"), "/")
	if !ok || !strings.HasPrefix(path, "instance/service-accounts/") || (account != "default" && account != s.DefaultAccount()) {
		http.Error(w, "Not Found: "+r.URL.Path, http.StatusNotFound)
		return
	}
	email := s.DefaultAccount()
	scopes := []string{"https://www.googleapis.com/auth/cloud-platform"}
	if v := q.Get("scopes"); v != "" {
		scopes = strings.Split(v, ",")
	}
	switch leaf {
	case "email":
		text(email)
	case "aliases":
		text("default")
	case "scopes":
		text(strings.Join(scopes, "\n") + "\n")
	case "":
		if q.Get("recursive") != "true" {
			text("aliases\nemail\nidentity\nscopes\ntoken\n")
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"aliases": []string{"default"}, "email": email, "scopes": scopes})
	case "token":
		writeJSON(w, http.StatusOK, map[string]any{"access_token": s.AccessToken(), "expires_in": int(tokenLifetime / time.Second), "token_type": "Bearer"})
	case "identity":
		aud := q.Get("audience")
		if aud == "" {
			http.Error(w, "non-empty audience parameter required", http.StatusBadRequest)
			return
		}
		tok, err := s.IDToken(email, aud, q.Get("format") == "full")
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		text(tok)
	default:
		http.Error(w, "Not Found: "+r.URL.Path, http.StatusNotFound)
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}
