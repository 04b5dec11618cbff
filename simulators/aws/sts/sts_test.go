package sts

import (
	"net/url"
	"strings"
	"testing"
)

func TestHandle(t *testing.T) {
	s := New("111122223333")
	cases := []struct {
		action     string
		wantStatus int
		wantBody   []string
	}{
		{"GetCallerIdentity", 200, []string{"<Account>111122223333</Account>", "<Arn>arn:aws:iam::111122223333:root</Arn>", `xmlns="https://sts.amazonaws.com/doc/2011-06-15/"`}},
		{"AssumeRole", 400, []string{"<Code>InvalidAction</Code>", "Could not find operation AssumeRole for version 2011-06-15"}},
		{"", 400, []string{"<Code>MissingAction</Code>"}},
	}
	for _, c := range cases {
		status, body := s.Handle(url.Values{"Action": {c.action}, "Version": {"2011-06-15"}})
		if status != c.wantStatus {
			t.Errorf("%s: status %d, want %d", c.action, status, c.wantStatus)
		}
		for _, w := range c.wantBody {
			if !strings.Contains(string(body), w) {
				t.Errorf("%s: body %s lacks %s", c.action, body, w)
			}
		}
	}
}
