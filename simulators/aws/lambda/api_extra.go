package lambda

import (
	"maps"
	"net/http"
	"net/url"
	"strings"

	"github.com/sockerless/sockerless/simulators/kit/tags"
)

// Lambda's API operations outside /2015-03-31/functions, each under the
// API version that introduced it. The Terraform provider reads a
// function through all of them.
const (
	TagsPathPrefix        = "/2017-03-31/tags/"
	ConcurrencyPathPrefix = "/2019-09-30/functions/"
	CodeSigningPathPrefix = "/2020-06-30/functions/"
)

// IsSidePath reports whether p is one of those operations' paths.
func IsSidePath(p string) bool {
	return strings.HasPrefix(p, TagsPathPrefix) || strings.HasPrefix(p, ConcurrencyPathPrefix) || strings.HasPrefix(p, CodeSigningPathPrefix) || isReservedPath(p)
}

// serveSideAPI serves the operations of IsSidePath and reports whether
// the request was one.
func (s *Service) serveSideAPI(w http.ResponseWriter, r *http.Request, region string, body []byte) bool {
	p := r.URL.EscapedPath()
	switch {
	case strings.HasPrefix(p, TagsPathPrefix):
		arn, err := url.PathUnescape(strings.TrimPrefix(p, TagsPathPrefix))
		if err != nil {
			writeErr(w, invalidParam("bad resource ARN %q", p))
			return true
		}
		s.serveTags(w, r, region, arn, body)
	case isReservedPath(p):
		return s.serveReserved(w, r, region, body)
	case strings.HasPrefix(p, ConcurrencyPathPrefix) && r.Method == http.MethodGet:
		name, ok := sideName(p, ConcurrencyPathPrefix, "/concurrency")
		if !ok {
			return false
		}
		s.reply(w, http.StatusOK, func() (any, error) { return s.getConcurrency(region, name) })
	case strings.HasPrefix(p, CodeSigningPathPrefix) && r.Method == http.MethodGet:
		name, ok := sideName(p, CodeSigningPathPrefix, "/code-signing-config")
		if !ok {
			return false
		}
		s.reply(w, http.StatusOK, func() (any, error) { return s.getCodeSigningConfig(region, name) })
	default:
		return false
	}
	return true
}

func sideName(p, prefix, suffix string) (string, bool) {
	rest, ok := strings.CutSuffix(strings.TrimPrefix(p, prefix), suffix)
	if !ok || rest == "" || strings.Contains(rest, "/") {
		return "", false
	}
	name, err := url.PathUnescape(rest)
	return name, err == nil
}

// getFunctionTagged is GetFunction with the function's tags.
func (s *Service) getFunctionTagged(region, ref string) (any, error) {
	out, err := s.getFunction(region, ref)
	if err != nil {
		return nil, err
	}
	m, ok := out.(map[string]any)
	if !ok {
		return out, nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	f, err := s.lookup(region, ref)
	if err != nil {
		return nil, err
	}
	m["Tags"] = tagsOf(f)
	return m, nil
}

// listVersions is ListVersionsByFunction. Publishing is not simulated, so
// a function has one version, $LATEST, which Lambda lists too.
func (s *Service) listVersions(region, ref string, q url.Values) (any, error) {
	c, err := s.get(region, ref)
	if err != nil {
		return nil, err
	}
	if m := q.Get("Marker"); m != "" {
		return nil, invalidParam("Invalid marker: %s", m)
	}
	return map[string]any{"Versions": []Configuration{c}}, nil
}

// getConcurrency is GetFunctionConcurrency: the reserved concurrency,
// or, with none, an empty object, as Lambda answers.
func (s *Service) getConcurrency(region, ref string) (any, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f, err := s.lookup(region, ref)
	if err != nil {
		return nil, err
	}
	if f.Reserved == nil {
		return struct{}{}, nil
	}
	return map[string]int{"ReservedConcurrentExecutions": *f.Reserved}, nil
}

// getCodeSigningConfig is GetFunctionCodeSigningConfig: code signing
// configs are not simulated, so no function has one, which Lambda
// answers with an empty ARN.
func (s *Service) getCodeSigningConfig(region, ref string) (any, error) {
	c, err := s.get(region, ref)
	if err != nil {
		return nil, err
	}
	return map[string]string{"CodeSigningConfigArn": "", "FunctionName": c.FunctionName}, nil
}

// serveTags is ListTags (GET), TagResource (POST) and UntagResource
// (DELETE ?tagKeys=) on a function ARN.
func (s *Service) serveTags(w http.ResponseWriter, r *http.Request, region, arn string, body []byte) {
	name, qual, err := parseName(arn)
	if err == nil && (!strings.HasPrefix(arn, "arn:") || qual != "") {
		err = invalidParam("Invalid ARN: %s", arn)
	}
	if err != nil {
		writeErr(w, err)
		return
	}
	switch r.Method {
	case http.MethodGet:
		s.reply(w, http.StatusOK, func() (any, error) {
			s.mu.Lock()
			defer s.mu.Unlock()
			f, err := s.lookup(region, name)
			if err != nil {
				return nil, err
			}
			return map[string]any{"Tags": tagsOf(f)}, nil
		})
	case http.MethodPost:
		var in struct {
			Tags map[string]string `json:"Tags"`
		}
		if !decode(w, body, &in) {
			return
		}
		if len(in.Tags) == 0 {
			writeErr(w, invalidParam("Tags must not be empty"))
			return
		}
		s.noContent(w, s.retag(region, name, func(f *function) error {
			var err error
			f.Tags, err = mergeTags(f.Tags, in.Tags)
			return err
		}))
	case http.MethodDelete:
		keys := r.URL.Query()["tagKeys"]
		if len(keys) == 0 {
			writeErr(w, validation("null", "tagKeys", "Member must not be null"))
			return
		}
		s.noContent(w, s.retag(region, name, func(f *function) error {
			f.Tags = maps.Clone(f.Tags)
			for _, k := range keys {
				delete(f.Tags, k)
			}
			return nil
		}))
	default:
		writeErr(w, &apiError{Status: http.StatusMethodNotAllowed, Code: "UnknownOperationException", Message: "awssim: " + r.Method + " on tags is not a Lambda operation"})
	}
}

// retag changes a function's tags or reserved concurrency in place:
// neither is configuration, so unlike update it keeps the revision, and
// the running instances unless the reserved concurrency changed (the
// next invocation then starts a pool with the new cap; running
// instances finish first).
func (s *Service) retag(region, name string, change func(*function) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	f, err := s.lookup(region, name)
	if err != nil {
		return err
	}
	next := *f
	if err := change(&next); err != nil {
		return err
	}
	if err := s.save(&next); err != nil {
		return err
	}
	f.Tags = next.Tags
	if f.Reserved != next.Reserved {
		f.Reserved = next.Reserved
		if f.pool != nil {
			f.pool.retire(false)
			f.pool = nil
		}
	}
	return nil
}

func (s *Service) noContent(w http.ResponseWriter, err error) {
	if err != nil {
		writeErr(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func tagsOf(f *function) map[string]string {
	if f.Tags == nil {
		return map[string]string{}
	}
	return maps.Clone(f.Tags)
}

// tagRules are Lambda's limits on a function's tags.
var tagRules = tags.Rules{MaxKey: 128, MaxValue: 256, MaxTags: 50, Reserved: "aws:"}

// checkTags applies Lambda's tag limits to a new function's tags.
func checkTags(add map[string]string) error {
	_, err := mergeTags(nil, add)
	return err
}

// mergeTags sets add over have under Lambda's limits.
func mergeTags(have, add map[string]string) (map[string]string, error) {
	out, err := tags.MergeMap(have, add, tagRules)
	if err == nil {
		return out, nil
	}
	switch err.Problem {
	case tags.BadKey:
		return nil, invalidParam("Tag key must be between 1 and 128 characters: %q", err.Key)
	case tags.BadValue:
		return nil, invalidParam("Tag value must be at most 256 characters: %q", err.Value)
	case tags.ReservedKey:
		return nil, invalidParam("Tag keys prefixed with aws: are reserved: %q", err.Key)
	}
	return nil, invalidParam("A function can have at most 50 tags")
}
