package efs

import (
	"net/http"
	"strings"

	"github.com/sockerless/sockerless/simulators/kit/apierr"
	"github.com/sockerless/sockerless/simulators/kit/tags"
)

// tagged finds the tags of a file system or access point by id.
func (s *Service) tagged(region, id string) (*[]tag, func() error, *apierr.Error) {
	switch {
	case strings.HasPrefix(id, "fsap-"):
		a, err := s.lookupAP(region, id)
		if err != nil {
			return nil, nil, err
		}
		return &a.Tags, func() error {
			a.Name = tagValue(a.Tags, "Name")
			return s.St.putAP(a)
		}, nil
	case strings.HasPrefix(id, "fs-"):
		f, err := s.lookupFS(region, id)
		if err != nil {
			return nil, nil, err
		}
		return &f.Tags, func() error { return s.St.putFS(f) }, nil
	}
	return nil, nil, badRequest("Resource id %q is neither a file system (fs-) nor an access point (fsap-).", id)
}

func (s *Service) tagResource(r request) (int, any, *apierr.Error) {
	var in struct{ Tags []tag }
	if err := r.decode(&in); err != nil {
		return 0, nil, err
	}
	have, save, err := s.tagged(r.region, r.parts[1])
	if err != nil {
		return 0, nil, err
	}
	merged, terr := tags.Merge(*have, in.Tags, tagPair, tagRules)
	if terr != nil {
		return 0, nil, tagError(terr)
	}
	*have = merged
	if err := save(); err != nil {
		return 0, nil, internal(err)
	}
	return http.StatusOK, struct{}{}, nil
}

func (s *Service) untagResource(r request) (int, any, *apierr.Error) {
	have, save, err := s.tagged(r.region, r.parts[1])
	if err != nil {
		return 0, nil, err
	}
	*have = nonNil(tags.Remove(*have, r.query["tagKeys"], tagPair, tagRules))
	if err := save(); err != nil {
		return 0, nil, internal(err)
	}
	return http.StatusOK, struct{}{}, nil
}

func (s *Service) listTagsForResource(r request) (int, any, *apierr.Error) {
	have, _, err := s.tagged(r.region, r.parts[1])
	if err != nil {
		return 0, nil, err
	}
	page, next, err := paginate(*have, r.query.Get("NextToken"), r.query.Get("MaxResults"), 100)
	if err != nil {
		return 0, nil, err
	}
	out := map[string]any{"Tags": page}
	if next != "" {
		out["NextToken"] = next
	}
	return http.StatusOK, out, nil
}

func tagValue(t []tag, key string) string {
	for _, x := range t {
		if x.Key == key {
			return x.Value
		}
	}
	return ""
}

// tagError words a refused merge as EFS does.
func tagError(e *tags.Error) *apierr.Error {
	switch e.Problem {
	case tags.TooMany:
		return apierr.New(http.StatusBadRequest, "BadRequest", "A resource can have at most %d tags.", tagRules.MaxTags)
	case tags.ReservedKey:
		return badRequest("Tag keys starting with 'aws:' are reserved: %q.", e.Key)
	case tags.BadValue:
		return badRequest("Tag value of key %q is longer than %d characters.", e.Key, tagRules.MaxValue)
	}
	return badRequest("Tag key %q must be 1 to %d characters long.", e.Key, tagRules.MaxKey)
}
