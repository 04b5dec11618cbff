package lambda

// Function URL configurations. A real function URL is
// https://<url-id>.lambda-url.<region>.on.aws/, which does not resolve to
// a loopback simulator; awssim serves it at
// <simulator>/lambda-url/<url-id>/ instead and returns that form as
// FunctionUrl, so clients that take the URL from the API just work.

import (
	"crypto/rand"
	"net/http"
	"strings"
	"time"
)

// URLAPIPrefix is where the function URL configuration API lives (a
// different API version from the rest of Lambda).
const URLAPIPrefix = "/2021-10-31/functions"

// URLPathPrefix is where function URLs themselves are served.
const URLPathPrefix = "/lambda-url/"

type cors struct {
	AllowCredentials bool     `json:"AllowCredentials,omitempty"`
	AllowHeaders     []string `json:"AllowHeaders,omitempty"`
	AllowMethods     []string `json:"AllowMethods,omitempty"`
	AllowOrigins     []string `json:"AllowOrigins,omitempty"`
	ExposeHeaders    []string `json:"ExposeHeaders,omitempty"`
	MaxAge           int      `json:"MaxAge,omitempty"`
}

// urlConfig is a function's URL, persisted with the function.
type urlConfig struct {
	ID               string `json:"id"`
	AuthType         string `json:"authType"`
	Cors             *cors  `json:"cors,omitempty"`
	InvokeMode       string `json:"invokeMode"`
	CreationTime     string `json:"creationTime"`
	LastModifiedTime string `json:"lastModifiedTime"`
}

type urlInput struct {
	AuthType   *string `json:"AuthType"`
	Cors       *cors   `json:"Cors"`
	InvokeMode *string `json:"InvokeMode"`
}

type urlOutput struct {
	FunctionURL      string `json:"FunctionUrl"`
	FunctionArn      string `json:"FunctionArn"`
	AuthType         string `json:"AuthType"`
	Cors             *cors  `json:"Cors,omitempty"`
	CreationTime     string `json:"CreationTime"`
	LastModifiedTime string `json:"LastModifiedTime,omitempty"`
	InvokeMode       string `json:"InvokeMode"`
}

var errNoURL = &apiError{Status: http.StatusNotFound, Code: "ResourceNotFoundException", Message: "The resource you requested does not exist."}

// handleURLAPI serves {name}/url (create, get, update, delete) and
// {name}/urls (list) under URLAPIPrefix.
func (s *Service) handleURLAPI(w http.ResponseWriter, r *http.Request, region string, parts []string, body []byte) {
	if len(parts) != 2 || (parts[1] != "url" && parts[1] != "urls") {
		writeErr(w, &apiError{Status: http.StatusNotFound, Code: "UnknownOperationException", Message: "awssim: " + r.Method + " " + r.URL.Path + " is not a simulated Lambda operation"})
		return
	}
	name := parts[0]
	if q := r.URL.Query().Get("Qualifier"); q != "" {
		name += ":" + q
	}
	switch r.Method + " " + parts[1] {
	case "POST url":
		var in urlInput
		if decode(w, body, &in) {
			s.reply(w, http.StatusCreated, func() (any, error) { return s.createURL(region, name, in) })
		}
	case "GET url":
		s.reply(w, http.StatusOK, func() (any, error) { return s.getURL(region, name) })
	case "PUT url":
		var in urlInput
		if decode(w, body, &in) {
			s.reply(w, http.StatusOK, func() (any, error) { return s.updateURL(region, name, in) })
		}
	case "DELETE url":
		if err := s.deleteURL(region, name); err != nil {
			writeErr(w, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	case "GET urls":
		s.reply(w, http.StatusOK, func() (any, error) {
			out, err := s.getURL(region, name)
			list := []urlOutput{}
			if err == nil {
				list = append(list, out)
			} else if err != errNoURL {
				return nil, err
			}
			return map[string]any{"FunctionUrlConfigs": list}, nil
		})
	default:
		writeErr(w, &apiError{Status: http.StatusMethodNotAllowed, Code: "UnknownOperationException", Message: "awssim: " + r.Method + " " + r.URL.Path + " is not a simulated Lambda operation"})
	}
}

func checkURLInput(in urlInput, create bool) error {
	if in.AuthType == nil && create {
		return validation("null", "authType", "Member must not be null")
	}
	if in.AuthType != nil && *in.AuthType != "NONE" && *in.AuthType != "AWS_IAM" {
		return validation(*in.AuthType, "authType", "Member must satisfy enum value set: [NONE, AWS_IAM]")
	}
	if in.InvokeMode != nil {
		switch *in.InvokeMode {
		case "BUFFERED":
		case "RESPONSE_STREAM":
			return invalidParam("awssim: InvokeMode RESPONSE_STREAM is not simulated; use BUFFERED")
		default:
			return validation(*in.InvokeMode, "invokeMode", "Member must satisfy enum value set: [BUFFERED, RESPONSE_STREAM]")
		}
	}
	return nil
}

func (s *Service) createURL(region, ref string, in urlInput) (urlOutput, error) {
	if err := checkURLInput(in, true); err != nil {
		return urlOutput{}, err
	}
	var out urlOutput
	err := s.changeURL(region, ref, func(f *function) error {
		if f.URL != nil {
			return conflict("Failed to create function url config for [functionArn = %s]. Error message:  FunctionUrlConfig exists for this Lambda function", f.Config.FunctionArn)
		}
		now := urlTime()
		f.URL = &urlConfig{ID: urlID(), AuthType: *in.AuthType, Cors: in.Cors, InvokeMode: "BUFFERED", CreationTime: now, LastModifiedTime: now}
		out = s.urlOutput(f)
		out.LastModifiedTime = "" // CreateFunctionUrlConfig does not return it
		return nil
	})
	return out, err
}

func (s *Service) updateURL(region, ref string, in urlInput) (urlOutput, error) {
	if err := checkURLInput(in, false); err != nil {
		return urlOutput{}, err
	}
	var out urlOutput
	err := s.changeURL(region, ref, func(f *function) error {
		if f.URL == nil {
			return errNoURL
		}
		u := *f.URL
		if in.AuthType != nil {
			u.AuthType = *in.AuthType
		}
		if in.Cors != nil {
			u.Cors = in.Cors
		}
		u.LastModifiedTime = urlTime()
		f.URL = &u
		out = s.urlOutput(f)
		return nil
	})
	return out, err
}

func (s *Service) deleteURL(region, ref string) error {
	return s.changeURL(region, ref, func(f *function) error {
		if f.URL == nil {
			return errNoURL
		}
		f.URL = nil
		return nil
	})
}

func (s *Service) getURL(region, ref string) (urlOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f, err := s.lookup(region, ref)
	if err != nil {
		return urlOutput{}, err
	}
	if f.URL == nil {
		return urlOutput{}, errNoURL
	}
	return s.urlOutput(f), nil
}

// changeURL edits f's URL and persists it. Unlike a configuration update
// it leaves the revision and the warm instances alone, as Lambda does.
func (s *Service) changeURL(region, ref string, change func(*function) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	f, err := s.lookup(region, ref)
	if err != nil {
		return err
	}
	old := f.URL
	if err := change(f); err != nil {
		f.URL = old
		return err
	}
	if err := s.save(f); err != nil {
		f.URL = old
		return err
	}
	return nil
}

// urlOutput describes f's URL; the caller holds s.mu.
func (s *Service) urlOutput(f *function) urlOutput {
	u := f.URL
	return urlOutput{
		FunctionURL:      s.functionURL(u.ID),
		FunctionArn:      f.Config.FunctionArn,
		AuthType:         u.AuthType,
		Cors:             u.Cors,
		CreationTime:     u.CreationTime,
		LastModifiedTime: u.LastModifiedTime,
		InvokeMode:       u.InvokeMode,
	}
}

// functionURL is where the simulator serves URL id; it follows the
// simulator's current address, so it survives a restart on a new port.
func (s *Service) functionURL(id string) string {
	base := "http://127.0.0.1"
	if s.opts.Endpoint != nil {
		if e := s.opts.Endpoint(); e != "" {
			base = strings.TrimSuffix(e, "/")
		}
	}
	return base + URLPathPrefix + id + "/"
}

// urlID is 32 lower-case letters and digits, like Lambda's.
func urlID() string {
	const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, 32)
	rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

func urlTime() string { return time.Now().UTC().Format("2006-01-02T15:04:05.000000Z") }
