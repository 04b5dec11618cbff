package iam

import (
	"net/url"
	"slices"
	"strconv"

	"github.com/sockerless/sockerless/simulators/kit/tags"
)

// tagRules are IAM's limits on a role's tags: keys are case-insensitive,
// so a key differing in case replaces the old one.
var tagRules = tags.Rules{MaxKey: 128, MaxValue: 256, MaxTags: 50, Reserved: "aws:", FoldCase: true}

func tagPair(t tag) (string, string) { return t.Key, t.Value }

type listInstanceProfilesResult struct {
	InstanceProfiles members[struct{}] `xml:"InstanceProfiles"`
	IsTruncated      bool              `xml:"IsTruncated"`
}

// listInstanceProfilesForRole is ListInstanceProfilesForRole. Instance
// profiles belong to EC2, which is not simulated, so no role is ever in
// one: the answer is the role's (empty) list, or NoSuchEntity.
func (s *Service) listInstanceProfilesForRole(form url.Values) (any, *apiError) {
	if _, aerr := s.findRole(form); aerr != nil {
		return nil, aerr
	}
	return listInstanceProfilesResult{}, nil
}

type listRoleTagsResult struct {
	Tags        members[tag] `xml:"Tags"`
	IsTruncated bool         `xml:"IsTruncated"`
	Marker      string       `xml:"Marker,omitempty"`
}

// listRoleTags is ListRoleTags: the role's tags in the order they were
// added, paged by MaxItems and Marker (the index to resume at).
func (s *Service) listRoleTags(form url.Values) (any, *apiError) {
	r, aerr := s.findRole(form)
	if aerr != nil {
		return nil, aerr
	}
	max := 100
	if v := form.Get("MaxItems"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			return nil, validation("1 validation error detected: Value '%s' at 'maxItems' failed to satisfy constraint: Member must have value between 1 and 1000", v)
		}
		max = n
	}
	start := 0
	if m := form.Get("Marker"); m != "" {
		n, err := strconv.Atoi(m)
		if err != nil || n < 0 || n > len(r.Tags) {
			return nil, validation("Invalid Marker: %s", m)
		}
		start = n
	}
	end := min(start+max, len(r.Tags))
	out := listRoleTagsResult{Tags: members[tag]{Member: slices.Clone(r.Tags[start:end])}}
	if end < len(r.Tags) {
		out.IsTruncated, out.Marker = true, strconv.Itoa(end)
	}
	return out, nil
}

// tagRole is TagRole: new keys are added, existing ones overwritten.
func (s *Service) tagRole(form url.Values) (any, *apiError) {
	r, aerr := s.findRole(form)
	if aerr != nil {
		return nil, aerr
	}
	add := formTags(form)
	if len(add) == 0 {
		return nil, validation("1 validation error detected: Value null at 'tags' failed to satisfy constraint: Member must not be null")
	}
	c := clone(r)
	var err *tags.Error
	if c.Tags, err = tags.Merge(r.Tags, add, tagPair, tagRules); err != nil {
		switch err.Problem {
		case tags.ReservedKey:
			return nil, &apiError{Status: 400, Code: "InvalidInput", Message: "User is not authorized to tag with keys prefixed by aws:"}
		case tags.TooMany:
			return nil, &apiError{Status: 409, Code: "LimitExceeded", Message: "The number of tags has reached the maximum limit."}
		}
		return nil, validation("1 validation error detected: Value '%s' at 'tags.member.key' failed to satisfy constraint: Member must have length between 1 and 128, and values at most 256", err.Key)
	}
	if err := s.St.putRole(c); err != nil {
		return nil, internal(err)
	}
	return nil, nil
}

// untagRole is UntagRole; keys that are not there are ignored, as IAM
// does.
func (s *Service) untagRole(form url.Values) (any, *apiError) {
	r, aerr := s.findRole(form)
	if aerr != nil {
		return nil, aerr
	}
	var keys []string
	for i := 1; ; i++ {
		k := form.Get("TagKeys.member." + strconv.Itoa(i))
		if k == "" {
			break
		}
		keys = append(keys, k)
	}
	if len(keys) == 0 {
		return nil, validation("1 validation error detected: Value null at 'tagKeys' failed to satisfy constraint: Member must not be null")
	}
	c := clone(r)
	c.Tags = tags.Remove(r.Tags, keys, tagPair, tagRules)
	if err := s.St.putRole(c); err != nil {
		return nil, internal(err)
	}
	return nil, nil
}

type userOut struct {
	UserID   string `xml:"UserId"`
	Arn      string `xml:"Arn"`
	Path     string `xml:"Path,omitempty"`
	UserName string `xml:"UserName,omitempty"`
}

type getUserResult struct {
	User userOut `xml:"User"`
}

// getUser is GetUser. The simulator's credentials are the account's root
// credentials (STS GetCallerIdentity says so too), and IAM users are not
// simulated: without UserName it answers the root user as IAM does for
// root credentials (the account id as UserId, no name or path; its
// creation date is not known here, so it is left out), and with one it
// answers NoSuchEntity.
func (s *Service) getUser(form url.Values) (any, *apiError) {
	if name := form.Get("UserName"); name != "" {
		return nil, noSuchEntity("The user with name %s cannot be found.", name)
	}
	return getUserResult{User: userOut{UserID: s.AccountID, Arn: "arn:aws:iam::" + s.AccountID + ":root"}}, nil
}
