package e2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/moby/moby/api/types/system"
	"github.com/sockerless/sockerless/e2e/harness"
)

func allScenarios() []Scenario {
	var all []Scenario
	for _, group := range [][]Scenario{systemScenarios(), imageScenarios(), containerScenarios(), lifecycleScenarios(), execScenarios(), objectScenarios(), snapshotScenarios(), archiveScenarios(), networkScenarios(), portScenarios()} {
		all = append(all, group...)
	}
	return all
}

// d spells a docker CLI argument list.
func d(args ...string) []string { return args }

func systemScenarios() []Scenario {
	return []Scenario{
		{Name: "version", Static: true, Steps: []Step{
			{Args: d("version", "--format", "{{.Server.APIVersion}}"), Checks: []Check{OutMatch(`^1\.\d+\n$`)}, Shape: ShapeCode},
			{Args: d("version"), Checks: []Check{OutContains("Client:", "Server:", "API version:")}, Shape: ShapeCode},
		}},
		{Name: "info", Static: true, Steps: []Step{
			{Args: d("info", "--format", "{{.OSType}} {{.Architecture}}"), Checks: []Check{Out("linux x86_64\n")}},
			{Args: d("info"), Checks: []Check{OutContains("Containers:", "Images:", "Server Version:")}, Shape: ShapeCode},
		}},
		{Name: "system_df", Static: true, Steps: []Step{
			{Args: d("system", "df"), Checks: []Check{OutContains("TYPE", "Images", "Containers", "Local Volumes")}, Shape: ShapeLines},
		}},
		{Name: "ping_raw_http", Static: true, Steps: []Step{
			{Do: ping("HEAD", "/_ping", http.StatusOK, "")},
			{Do: ping("GET", "/_ping", http.StatusOK, "OK")},
			{Do: ping("GET", "/v1.24/_ping", http.StatusOK, "OK")},
			{Do: ping("HEAD", "/v1.40/_ping", http.StatusOK, "")},
		}},
		{Name: "version_raw_http", Static: true, Steps: []Step{
			{Do: versionAt("/version")},
			{Do: versionAt("/v1.40/version")},
			// Engines differ in their maximum API version; both behaviours are Docker's.
			{Do: versionAt("/v1.56/version"), Shape: ShapeCode},
		}},
	}
}

// ping checks a raw /_ping answer: status, body, and the API-Version and
// Server headers clients negotiate with.
func ping(method, path string, status int, body string) func(s *Session) harness.Result {
	return func(s *Session) harness.Result {
		r, err := s.E.HTTP(method, path, nil, nil)
		if err != nil {
			return fail(err.Error())
		}
		out := fmt.Sprintf("%s %s: %d %q api-version-set=%v\n", method, path, r.Status, r.Body, r.Header.Get("API-Version") != "")
		if r.Status != status || string(r.Body) != body || r.Header.Get("API-Version") == "" {
			return harness.Result{Stdout: out, Stderr: fmt.Sprintf("want %d %q with an API-Version header; headers %v", status, body, r.Header), Code: 1}
		}
		return harness.Result{Stdout: out}
	}
}

// versionAt checks GET path/version. A version above the engine's maximum
// must be refused with 400 and a message, as dockerd does; any other must
// answer the version document.
func versionAt(path string) func(s *Session) harness.Result {
	return func(s *Session) harness.Result {
		p, err := s.E.HTTP("GET", "/_ping", nil, nil)
		if err != nil {
			return fail(err.Error())
		}
		max := p.Header.Get("API-Version")
		r, err := s.E.HTTP("GET", path, nil, nil)
		if err != nil {
			return fail(err.Error())
		}
		asked, _, _ := strings.Cut(strings.TrimPrefix(path, "/v"), "/")
		if strings.HasPrefix(path, "/v") && versionLess(max, asked) {
			var m struct{ Message string }
			if r.Status != http.StatusBadRequest || json.Unmarshal(r.Body, &m) != nil || m.Message == "" {
				return fail(fmt.Sprintf("GET %s above max API %s: got %d %s, want 400 with a JSON message", path, max, r.Status, r.Body))
			}
			return harness.Result{Stdout: "refused as too new\n"}
		}
		var v system.VersionResponse
		if r.Status != http.StatusOK || json.Unmarshal(r.Body, &v) != nil || v.APIVersion == "" {
			return fail(fmt.Sprintf("GET %s: got %d %s, want 200 with a version document", path, r.Status, r.Body))
		}
		return harness.Result{Stdout: "version document\n"}
	}
}

// fail is a harness action that could not do or prove what it should.
func fail(msg string) harness.Result { return harness.Result{Stderr: msg, Code: 1} }

// versionLess reports a < b for API versions "1.41".
func versionLess(a, b string) bool {
	var amaj, amin, bmaj, bmin int
	fmt.Sscanf(a, "%d.%d", &amaj, &amin)
	fmt.Sscanf(b, "%d.%d", &bmaj, &bmin)
	return amaj < bmaj || amaj == bmaj && amin < bmin
}
