package iam

import (
	"net/url"
	"strings"
	"testing"

	"github.com/sockerless/sockerless/simulators/kit/service"
)

// TestHandleShapes checks the wire shape the SDKs and the CLI parse:
// status codes, IAM's error codes and the result element names.
func TestHandleShapes(t *testing.T) {
	s, err := New(service.Base{AccountID: "111122223333"})
	if err != nil {
		t.Fatal(err)
	}
	trust := `{"Version":"2012-10-17","Statement":[]}`
	cases := []struct {
		form       url.Values
		wantStatus int
		wantBody   []string
	}{
		{url.Values{"Action": {"CreateRole"}, "RoleName": {"r"}, "AssumeRolePolicyDocument": {trust}}, 200,
			[]string{`<CreateRoleResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">`, "<CreateRoleResult><Role>", "<Arn>arn:aws:iam::111122223333:role/r</Arn>",
				"<AssumeRolePolicyDocument>%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%5D%7D</AssumeRolePolicyDocument>", "<ResponseMetadata><RequestId>"}},
		{url.Values{"Action": {"CreateRole"}, "RoleName": {"R"}, "AssumeRolePolicyDocument": {trust}}, 409,
			[]string{"<Type>Sender</Type>", "<Code>EntityAlreadyExists</Code>", "<Message>Role with name R already exists.</Message>"}},
		{url.Values{"Action": {"CreateRole"}, "RoleName": {"bad name"}, "AssumeRolePolicyDocument": {trust}}, 400, []string{"<Code>ValidationError</Code>"}},
		{url.Values{"Action": {"CreateRole"}, "RoleName": {"p"}, "Path": {"nopath"}, "AssumeRolePolicyDocument": {trust}}, 400, []string{"<Code>ValidationError</Code>"}},
		{url.Values{"Action": {"GetRole"}, "RoleName": {"ghost"}}, 404, []string{"<Code>NoSuchEntity</Code>", "The role with name ghost cannot be found."}},
		{url.Values{"Action": {"PutRolePolicy"}, "RoleName": {"r"}, "PolicyName": {"p"}, "PolicyDocument": {"nope"}}, 400, []string{"<Code>MalformedPolicyDocument</Code>"}},
		{url.Values{"Action": {"ListAttachedRolePolicies"}, "RoleName": {"r"}}, 200, []string{"<AttachedPolicies></AttachedPolicies>", "<IsTruncated>false</IsTruncated>"}},
		{url.Values{"Action": {"DeleteRole"}, "RoleName": {"r"}}, 200, []string{"<DeleteRoleResponse", "</DeleteRoleResponse>"}},
		{url.Values{"Action": {"GetPolicy"}, "PolicyArn": {"not-an-arn"}}, 400, []string{"<Code>InvalidInput</Code>"}},
		{url.Values{"Action": {"CreateUser"}}, 400, []string{"<Code>InvalidAction</Code>"}},
	}
	for _, c := range cases {
		status, body := s.Handle(c.form)
		if status != c.wantStatus {
			t.Errorf("%s: status %d, want %d: %s", c.form.Get("Action"), status, c.wantStatus, body)
		}
		for _, w := range c.wantBody {
			if !strings.Contains(string(body), w) {
				t.Errorf("%s: body %s lacks %s", c.form.Get("Action"), body, w)
			}
		}
	}
}
