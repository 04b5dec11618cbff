package iam

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// awsManagedPrefix marks AWS managed policies. The simulator has no
// catalogue of them, so any such ARN is accepted for attachment.
const awsManagedPrefix = "arn:aws:iam::aws:policy/"

func policyName(arn string) string { return arn[strings.LastIndexByte(arn, '/')+1:] }

func (s *Service) policyArn(form url.Values) (string, *apiError) {
	arn := form.Get("PolicyArn")
	if arn == "" {
		return "", validation("1 validation error detected: Value null at 'policyArn' failed to satisfy constraint: Member must not be null")
	}
	if !strings.HasPrefix(arn, "arn:aws:iam::") || !strings.Contains(arn, ":policy/") {
		return "", &apiError{Status: http.StatusBadRequest, Code: "InvalidInput", Message: "ARN " + arn + " is not valid."}
	}
	return arn, nil
}

func (s *Service) attachRolePolicy(form url.Values) (any, *apiError) {
	r, aerr := s.findRole(form)
	if aerr != nil {
		return nil, aerr
	}
	arn, aerr := s.policyArn(form)
	if aerr != nil {
		return nil, aerr
	}
	if s.St.policies[arn] == nil && !strings.HasPrefix(arn, awsManagedPrefix) {
		return nil, noSuchEntity("Policy %s does not exist or is not attachable.", arn)
	}
	if slices.Contains(r.Attached, arn) {
		return nil, nil // attaching twice is a no-op in IAM
	}
	c := clone(r)
	c.Attached = append(c.Attached, arn)
	if err := s.St.putRole(c); err != nil {
		return nil, internal(err)
	}
	return nil, nil
}

func (s *Service) detachRolePolicy(form url.Values) (any, *apiError) {
	r, aerr := s.findRole(form)
	if aerr != nil {
		return nil, aerr
	}
	arn, aerr := s.policyArn(form)
	if aerr != nil {
		return nil, aerr
	}
	i := slices.Index(r.Attached, arn)
	if i < 0 {
		return nil, noSuchEntity("Policy %s was not found.", arn)
	}
	c := clone(r)
	c.Attached = slices.Delete(c.Attached, i, i+1)
	if err := s.St.putRole(c); err != nil {
		return nil, internal(err)
	}
	return nil, nil
}

type attachedPolicy struct {
	PolicyName string `xml:"PolicyName"`
	PolicyArn  string `xml:"PolicyArn"`
}

type listAttachedResult struct {
	AttachedPolicies members[attachedPolicy] `xml:"AttachedPolicies"`
	IsTruncated      bool                    `xml:"IsTruncated"`
	Marker           string                  `xml:"Marker,omitempty"`
}

func (s *Service) listAttachedRolePolicies(form url.Values) (any, *apiError) {
	r, aerr := s.findRole(form)
	if aerr != nil {
		return nil, aerr
	}
	prefix := form.Get("PathPrefix")
	var arns []string
	for _, arn := range r.Attached {
		path := "/"
		if p := s.St.policies[arn]; p != nil {
			path = p.Path
		} else if rest := strings.TrimPrefix(arn, awsManagedPrefix); rest != arn {
			path = "/" + rest[:strings.LastIndexByte(rest, '/')+1]
		}
		if strings.HasPrefix(path, prefix) {
			arns = append(arns, arn)
		}
	}
	arns, marker, truncated, aerr := page(arns, form)
	if aerr != nil {
		return nil, aerr
	}
	out := listAttachedResult{IsTruncated: truncated, Marker: marker}
	for _, arn := range arns {
		out.AttachedPolicies.Member = append(out.AttachedPolicies.Member, attachedPolicy{PolicyName: policyName(arn), PolicyArn: arn})
	}
	return out, nil
}

func (s *Service) putRolePolicy(form url.Values) (any, *apiError) {
	r, aerr := s.findRole(form)
	if aerr != nil {
		return nil, aerr
	}
	name, aerr := required(form, "PolicyName", "policyName", 128)
	if aerr != nil {
		return nil, aerr
	}
	doc, aerr := document(form, "PolicyDocument", "policyDocument")
	if aerr != nil {
		return nil, aerr
	}
	c := clone(r)
	if c.Inline == nil {
		c.Inline = map[string]string{}
	}
	c.Inline[name] = doc
	if err := s.St.putRole(c); err != nil {
		return nil, internal(err)
	}
	return nil, nil
}

type rolePolicyResult struct {
	RoleName       string `xml:"RoleName"`
	PolicyName     string `xml:"PolicyName"`
	PolicyDocument string `xml:"PolicyDocument"`
}

func (s *Service) inlinePolicy(form url.Values) (*role, string, *apiError) {
	r, aerr := s.findRole(form)
	if aerr != nil {
		return nil, "", aerr
	}
	name, aerr := required(form, "PolicyName", "policyName", 128)
	if aerr != nil {
		return nil, "", aerr
	}
	if _, ok := r.Inline[name]; !ok {
		return nil, "", noSuchEntity("The role policy with name %s cannot be found.", name)
	}
	return r, name, nil
}

func (s *Service) getRolePolicy(form url.Values) (any, *apiError) {
	r, name, aerr := s.inlinePolicy(form)
	if aerr != nil {
		return nil, aerr
	}
	return rolePolicyResult{RoleName: r.Name, PolicyName: name, PolicyDocument: encodeDocument(r.Inline[name])}, nil
}

func (s *Service) deleteRolePolicy(form url.Values) (any, *apiError) {
	r, name, aerr := s.inlinePolicy(form)
	if aerr != nil {
		return nil, aerr
	}
	c := clone(r)
	delete(c.Inline, name)
	if err := s.St.putRole(c); err != nil {
		return nil, internal(err)
	}
	return nil, nil
}

type listRolePoliciesResult struct {
	PolicyNames members[string] `xml:"PolicyNames"`
	IsTruncated bool            `xml:"IsTruncated"`
	Marker      string          `xml:"Marker,omitempty"`
}

func (s *Service) listRolePolicies(form url.Values) (any, *apiError) {
	r, aerr := s.findRole(form)
	if aerr != nil {
		return nil, aerr
	}
	var names []string
	for n := range r.Inline {
		names = append(names, n)
	}
	names, marker, truncated, aerr := page(names, form)
	if aerr != nil {
		return nil, aerr
	}
	return listRolePoliciesResult{PolicyNames: members[string]{names}, IsTruncated: truncated, Marker: marker}, nil
}

type policyOut struct {
	PolicyName                    string        `xml:"PolicyName"`
	PolicyID                      string        `xml:"PolicyId"`
	Arn                           string        `xml:"Arn"`
	Path                          string        `xml:"Path"`
	DefaultVersionID              string        `xml:"DefaultVersionId"`
	AttachmentCount               int           `xml:"AttachmentCount"`
	PermissionsBoundaryUsageCount int           `xml:"PermissionsBoundaryUsageCount"`
	IsAttachable                  bool          `xml:"IsAttachable"`
	Description                   string        `xml:"Description,omitempty"`
	CreateDate                    string        `xml:"CreateDate"`
	UpdateDate                    string        `xml:"UpdateDate"`
	Tags                          *members[tag] `xml:"Tags,omitempty"`
}

type policyResult struct {
	Policy policyOut `xml:"Policy"`
}

func (s *Service) renderPolicy(p *policy) policyOut {
	out := policyOut{
		PolicyName: p.Name, PolicyID: p.ID, Arn: p.Arn, Path: p.Path,
		DefaultVersionID: "v1", AttachmentCount: s.St.attachments(p.Arn), IsAttachable: true,
		Description: p.Description, CreateDate: isoTime(p.Created), UpdateDate: isoTime(p.Created),
	}
	if len(p.Tags) > 0 {
		out.Tags = &members[tag]{Member: p.Tags}
	}
	return out
}

func (s *Service) createPolicy(form url.Values) (any, *apiError) {
	name, aerr := required(form, "PolicyName", "policyName", 128)
	if aerr != nil {
		return nil, aerr
	}
	path, aerr := pathParam(form)
	if aerr != nil {
		return nil, aerr
	}
	doc, aerr := document(form, "PolicyDocument", "policyDocument")
	if aerr != nil {
		return nil, aerr
	}
	for _, p := range s.St.policies {
		if strings.EqualFold(p.Name, name) { // unique per account, whatever the path or case
			return nil, alreadyExists("A policy called %s already exists. Duplicate names are not allowed.", name)
		}
	}
	p := &policy{Name: name, Path: path, ID: newID("ANPA"), Arn: "arn:aws:iam::" + s.AccountID + ":policy" + path + name,
		Description: form.Get("Description"), Document: doc, Created: s.Now(), Tags: formTags(form)}
	if err := s.St.putPolicy(p); err != nil {
		return nil, internal(err)
	}
	out := s.renderPolicy(p)
	out.Description = "" // IAM leaves it out of CreatePolicy's answer
	return policyResult{out}, nil
}

func (s *Service) findPolicy(form url.Values) (*policy, *apiError) {
	arn, aerr := s.policyArn(form)
	if aerr != nil {
		return nil, aerr
	}
	p := s.St.policies[arn]
	if p == nil {
		return nil, noSuchEntity("Policy %s was not found.", arn)
	}
	return p, nil
}

func (s *Service) getPolicy(form url.Values) (any, *apiError) {
	p, aerr := s.findPolicy(form)
	if aerr != nil {
		return nil, aerr
	}
	return policyResult{s.renderPolicy(p)}, nil
}

type policyVersionResult struct {
	PolicyVersion struct {
		Document         string `xml:"Document"`
		VersionID        string `xml:"VersionId"`
		IsDefaultVersion bool   `xml:"IsDefaultVersion"`
		CreateDate       string `xml:"CreateDate"`
	} `xml:"PolicyVersion"`
}

// getPolicyVersion serves the only version a simulated policy has, v1.
func (s *Service) getPolicyVersion(form url.Values) (any, *apiError) {
	p, aerr := s.findPolicy(form)
	if aerr != nil {
		return nil, aerr
	}
	if v := form.Get("VersionId"); v != "v1" {
		return nil, noSuchEntity("Policy %s version %s does not exist or is not attachable.", p.Arn, v)
	}
	var out policyVersionResult
	out.PolicyVersion.Document = encodeDocument(p.Document)
	out.PolicyVersion.VersionID = "v1"
	out.PolicyVersion.IsDefaultVersion = true
	out.PolicyVersion.CreateDate = isoTime(p.Created)
	return out, nil
}

func (s *Service) deletePolicy(form url.Values) (any, *apiError) {
	p, aerr := s.findPolicy(form)
	if aerr != nil {
		return nil, aerr
	}
	if s.St.attachments(p.Arn) > 0 {
		return nil, deleteConflict("Cannot delete a policy attached to entities.")
	}
	if err := s.St.dropPolicy(p); err != nil {
		return nil, internal(err)
	}
	return nil, nil
}
