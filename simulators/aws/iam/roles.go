package iam

import (
	"encoding/json"
	"maps"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
)

var (
	nameRE = regexp.MustCompile(`^[\w+=,.@-]{1,128}$`)
	pathRE = regexp.MustCompile(`^(/|/[\x21-\x7E]*/)$`)
)

type roleOut struct {
	Path                     string        `xml:"Path"`
	RoleName                 string        `xml:"RoleName"`
	RoleID                   string        `xml:"RoleId"`
	Arn                      string        `xml:"Arn"`
	CreateDate               string        `xml:"CreateDate"`
	AssumeRolePolicyDocument string        `xml:"AssumeRolePolicyDocument"`
	Description              string        `xml:"Description,omitempty"`
	MaxSessionDuration       int           `xml:"MaxSessionDuration"`
	Tags                     *members[tag] `xml:"Tags,omitempty"`
}

func (s *Service) roleARN(r *role) string {
	return "arn:aws:iam::" + s.AccountID + ":role" + r.Path + r.Name
}

func (s *Service) renderRole(r *role) roleOut {
	out := roleOut{
		Path: r.Path, RoleName: r.Name, RoleID: r.ID, Arn: s.roleARN(r),
		CreateDate:               isoTime(r.Created),
		AssumeRolePolicyDocument: encodeDocument(r.AssumeRolePolicy),
		Description:              r.Description,
		MaxSessionDuration:       r.MaxSession,
	}
	if len(r.Tags) > 0 {
		out.Tags = &members[tag]{Member: r.Tags}
	}
	return out
}

// required reads a mandatory, well-formed name parameter.
func required(form url.Values, param, field string, max int) (string, *apiError) {
	v := form.Get(param)
	if v == "" {
		return "", validation("1 validation error detected: Value null at '%s' failed to satisfy constraint: Member must not be null", field)
	}
	if len(v) > max || !nameRE.MatchString(v) {
		return "", validation("1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+", v, field)
	}
	return v, nil
}

func pathParam(form url.Values) (string, *apiError) {
	p := form.Get("Path")
	if p == "" {
		return "/", nil
	}
	if len(p) > 512 || !pathRE.MatchString(p) {
		return "", validation("The specified value for path is invalid. It must begin and end with / and contain only alphanumeric characters and/or / characters.")
	}
	return p, nil
}

// document validates a JSON policy document parameter.
func document(form url.Values, param, field string) (string, *apiError) {
	doc := form.Get(param)
	if doc == "" {
		return "", validation("1 validation error detected: Value null at '%s' failed to satisfy constraint: Member must not be null", field)
	}
	var v map[string]any
	if json.Unmarshal([]byte(doc), &v) != nil {
		return "", malformed()
	}
	return doc, nil
}

func formTags(form url.Values) []tag {
	var out []tag
	for i := 1; ; i++ {
		k := form.Get("Tags.member." + strconv.Itoa(i) + ".Key")
		if k == "" {
			return out
		}
		out = append(out, tag{Key: k, Value: form.Get("Tags.member." + strconv.Itoa(i) + ".Value")})
	}
}

func (s *Service) findRole(form url.Values) (*role, *apiError) {
	name, aerr := required(form, "RoleName", "roleName", 64)
	if aerr != nil {
		return nil, aerr
	}
	r := s.St.role(name)
	if r == nil {
		return nil, noSuchEntity("The role with name %s cannot be found.", name)
	}
	return r, nil
}

// clone copies r so a change is only seen once it is stored.
func clone(r *role) *role {
	c := *r
	c.Attached = slices.Clone(r.Attached)
	c.Inline = maps.Clone(r.Inline)
	return &c
}

type roleResult struct {
	Role roleOut `xml:"Role"`
}

func (s *Service) createRole(form url.Values) (any, *apiError) {
	name, aerr := required(form, "RoleName", "roleName", 64)
	if aerr != nil {
		return nil, aerr
	}
	path, aerr := pathParam(form)
	if aerr != nil {
		return nil, aerr
	}
	doc, aerr := document(form, "AssumeRolePolicyDocument", "assumeRolePolicyDocument")
	if aerr != nil {
		return nil, aerr
	}
	maxSession := 3600
	if v := form.Get("MaxSessionDuration"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 3600 || n > 43200 {
			return nil, validation("1 validation error detected: Value '%s' at 'maxSessionDuration' failed to satisfy constraint: Member must have value between 3600 and 43200", v)
		}
		maxSession = n
	}
	if s.St.role(name) != nil {
		return nil, alreadyExists("Role with name %s already exists.", name)
	}
	r := &role{Name: name, Path: path, ID: newID("AROA"), Description: form.Get("Description"), AssumeRolePolicy: doc, MaxSession: maxSession, Created: s.Now(), Tags: formTags(form)}
	if err := s.St.putRole(r); err != nil {
		return nil, internal(err)
	}
	return roleResult{s.renderRole(r)}, nil
}

func (s *Service) getRole(form url.Values) (any, *apiError) {
	r, aerr := s.findRole(form)
	if aerr != nil {
		return nil, aerr
	}
	return roleResult{s.renderRole(r)}, nil
}

func (s *Service) deleteRole(form url.Values) (any, *apiError) {
	r, aerr := s.findRole(form)
	if aerr != nil {
		return nil, aerr
	}
	if len(r.Attached) > 0 {
		return nil, deleteConflict("Cannot delete entity, must detach all policies first.")
	}
	if len(r.Inline) > 0 {
		return nil, deleteConflict("Cannot delete entity, must delete policies first.")
	}
	if err := s.St.dropRole(r); err != nil {
		return nil, internal(err)
	}
	return nil, nil
}

// page cuts a sorted list of keys at Marker (the first key of the page)
// and MaxItems, as IAM's list calls do.
func page(keys []string, form url.Values) (out []string, marker string, truncated bool, aerr *apiError) {
	sort.Strings(keys)
	max := 100
	if v := form.Get("MaxItems"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			return nil, "", false, validation("1 validation error detected: Value '%s' at 'maxItems' failed to satisfy constraint: Member must have value between 1 and 1000", v)
		}
		max = n
	}
	start := 0
	if m := form.Get("Marker"); m != "" {
		start = sort.SearchStrings(keys, m)
	}
	end := min(start+max, len(keys))
	if end < len(keys) {
		return keys[start:end], keys[end], true, nil
	}
	return keys[start:end], "", false, nil
}

type listRolesResult struct {
	Roles       members[roleOut] `xml:"Roles"`
	IsTruncated bool             `xml:"IsTruncated"`
	Marker      string           `xml:"Marker,omitempty"`
}

func (s *Service) listRoles(form url.Values) (any, *apiError) {
	prefix := form.Get("PathPrefix")
	var keys []string
	for k, r := range s.St.roles {
		if strings.HasPrefix(r.Path, prefix) {
			keys = append(keys, k)
		}
	}
	keys, marker, truncated, aerr := page(keys, form)
	if aerr != nil {
		return nil, aerr
	}
	out := listRolesResult{IsTruncated: truncated, Marker: marker}
	for _, k := range keys {
		out.Roles.Member = append(out.Roles.Member, s.renderRole(s.St.roles[k]))
	}
	return out, nil
}
