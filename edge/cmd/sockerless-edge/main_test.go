package main

import (
	"bytes"
	"strings"
	"testing"
)

func TestParseFlags(t *testing.T) {
	cases := []struct {
		name      string
		args      []string
		transport string // the transport chosen, when the flags are good
		usage     string // what the usage error says, when they are not
	}{
		{name: "a function without --transport goes over lambda, as before the flag",
			args: []string{"--function", "sockerless-ecs"}, transport: "lambda"},
		{name: "--transport lambda is lambda",
			args: []string{"--function", "sockerless-ecs", "--transport", "lambda"}, transport: "lambda"},
		{name: "--transport gcp is gcp",
			args: []string{"--function", "https://sockerless-abc-uc.a.run.app", "--transport", "gcp"}, transport: "gcp"},
		{name: "an unknown transport is refused, listing the known ones",
			args:  []string{"--function", "sockerless-ecs", "--transport", "cloudfunctions"},
			usage: `sockerless-edge: unknown --transport "cloudfunctions": the known transports are lambda (AWS Lambda Invoke), gcp (a Cloud Run function's URL over HTTPS with an ID token)`},
		{name: "a transport without a function is refused",
			args: []string{"--transport", "lambda"}, usage: "sockerless-edge: --function is required"},
		{name: "stray arguments are refused",
			args: []string{"--function", "f", "lambda"}, usage: `sockerless-edge: unexpected arguments ["lambda"]`},
		{name: "an unknown flag is refused with the usage",
			args: []string{"--function", "f", "--backend", "ecs"}, usage: "flag provided but not defined: -backend"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var out bytes.Buffer
			opt, err := parseFlags(tc.args, &out)
			if tc.usage != "" {
				if err == nil || !strings.Contains(out.String(), tc.usage) {
					t.Fatalf("err %v, output %q; want a usage error saying %q", err, out.String(), tc.usage)
				}
				return
			}
			if err != nil {
				t.Fatalf("%v (output %q)", err, out.String())
			}
			if opt.transport.name != tc.transport || opt.transport.dial == nil {
				t.Errorf("transport %q, want %q", opt.transport.name, tc.transport)
			}
		})
	}
}

// TestBindRootFlag: --bind-root is repeatable, each one a directory the
// edge shares with containers as bind-mount copies.
func TestBindRootFlag(t *testing.T) {
	var out bytes.Buffer
	opt, err := parseFlags([]string{"--function", "f", "--bind-root", "/src", "--bind-root", "/data"}, &out)
	if err != nil {
		t.Fatalf("%v (output %q)", err, out.String())
	}
	if got := strings.Join(opt.gateway.BindRoots, ","); got != "/src,/data" {
		t.Errorf("bind roots %q, want /src,/data", got)
	}
}
