package serviceusage

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/sockerless/sockerless/simulators/gcp/internal/googlerest"
	"github.com/sockerless/sockerless/simulators/gcp/internal/lro"
	"github.com/sockerless/sockerless/simulators/gcp/internal/pages"
	"github.com/sockerless/sockerless/simulators/gcp/tokens"
	"github.com/sockerless/sockerless/simulators/kit/service"
)

// serviceJSON is a Service as the API answers it.
type serviceJSON struct {
	Name   string            `json:"name"`
	Parent string            `json:"parent"`
	Config map[string]string `json:"config"`
	State  string            `json:"state"`
}

// operation is a google.longrunning.Operation as the REST API answers it.
type operation struct {
	Name     string         `json:"name"`
	Metadata map[string]any `json:"metadata,omitempty"`
	Done     bool           `json:"done"`
	Response map[string]any `json:"response,omitempty"`
}

var (
	listPath    = regexp.MustCompile(`^/v1/projects/([^/:]+)/services$`)
	batchPath   = regexp.MustCompile(`^/v1/projects/([^/:]+)/services:(batchEnable|batchGet)$`)
	servicePath = regexp.MustCompile(`^/v1/projects/([^/:]+)/services/([^/:]+)$`)
	actionPath  = regexp.MustCompile(`^/v1/projects/([^/:]+)/services/([^/:]+):(enable|disable)$`)
	opPath      = regexp.MustCompile(`^/v1/(operations/[^/:]+)$`)
)

// Routes claims the API's paths.
func (s *Service) Routes() []service.Route {
	return []service.Route{{Name: "serviceusage", Match: func(r *http.Request, _ []byte) bool {
		p := r.URL.EscapedPath()
		for _, re := range []*regexp.Regexp{listPath, batchPath, servicePath, actionPath, opPath} {
			if re.MatchString(p) {
				return true
			}
		}
		return false
	}, Serve: s.serve}}
}

// queryParams are the parameters each method takes besides the system
// ones every Google API takes.
var queryParams = map[string]bool{"filter": true, "pageSize": true, "pageToken": true, "names": true,
	"alt": true, "$alt": true, "prettyPrint": true, "fields": true, "key": true, "quotaUser": true, "access_token": true}

func (s *Service) serve(w http.ResponseWriter, r *http.Request, body []byte) {
	for k := range r.URL.Query() {
		if !queryParams[k] {
			googlerest.WriteError(w, status.Errorf(codes.InvalidArgument, "Invalid JSON payload received. Unknown name %q: Cannot bind query parameter.", k))
			return
		}
	}
	p := r.URL.EscapedPath()
	var out any
	var err error
	switch m := match(p); {
	case m(opPath) != nil && r.Method == http.MethodGet:
		out, err = s.getOperation(m(opPath)[1])
	case m(actionPath) != nil && r.Method == http.MethodPost:
		g := m(actionPath)
		out, err = s.setState(g[1], g[2], g[3] == "enable", body)
	case m(servicePath) != nil && r.Method == http.MethodGet:
		g := m(servicePath)
		out, err = s.get(g[1], g[2])
	case m(batchPath) != nil && r.Method == http.MethodPost && m(batchPath)[2] == "batchEnable":
		out, err = s.batchEnable(m(batchPath)[1], body)
	case m(batchPath) != nil && r.Method == http.MethodGet && m(batchPath)[2] == "batchGet":
		out, err = s.batchGet(m(batchPath)[1], r.URL.Query()["names"])
	case m(listPath) != nil && r.Method == http.MethodGet:
		out, err = s.list(m(listPath)[1], r.URL.Query())
	default:
		err = status.Errorf(codes.Unimplemented, "Method %s is not supported on %s.", r.Method, r.URL.Path)
	}
	if err != nil {
		googlerest.WriteError(w, err)
		return
	}
	googlerest.WriteJSON(w, out)
}

// match returns a function giving re's submatches of p, unescaped, or nil.
func match(p string) func(re *regexp.Regexp) []string {
	return func(re *regexp.Regexp) []string {
		m := re.FindStringSubmatch(p)
		for i := range m {
			m[i], _ = url.PathUnescape(m[i])
		}
		return m
	}
}

// decode reads a JSON body strictly into v, refusing fields the API does
// not define; an empty body leaves v as it is.
func decode(body []byte, v any) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil
	}
	d := json.NewDecoder(bytes.NewReader(body))
	d.DisallowUnknownFields()
	if err := d.Decode(v); err != nil {
		return status.Errorf(codes.InvalidArgument, "Invalid JSON payload received. %v", err)
	}
	return nil
}

// lookup checks the project and the service's name.
func (s *Service) lookup(projectSeg, name string) (string, error) {
	project, err := s.projectOf(projectSeg)
	if err != nil {
		return "", err
	}
	if _, ok := Catalog[name]; !ok {
		return "", status.Errorf(codes.PermissionDenied, "Not found or permission denied for service(s): %s.", name)
	}
	return project, nil
}

// projectOf is the project ID a path segment names, or Google's refusal.
func (s *Service) projectOf(segment string) (string, error) {
	if project, ok := s.project(segment); ok {
		return project, nil
	}
	return "", status.Errorf(codes.PermissionDenied, "Permission denied to access project %q (or it may not exist).", segment)
}

// describe is a service's resource in project. The caller holds s.mu.
func (s *Service) describe(project, name string) serviceJSON {
	parent := "projects/" + tokens.ProjectNumberOf(project)
	state := "DISABLED"
	if s.enabled[project][name] {
		state = "ENABLED"
	}
	return serviceJSON{Name: parent + "/services/" + name, Parent: parent, State: state,
		Config: map[string]string{"name": name, "title": Catalog[name]}}
}

func (s *Service) get(projectSeg, name string) (any, error) {
	project, err := s.lookup(projectSeg, name)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.describe(project, name), nil
}

func (s *Service) batchGet(projectSeg string, names []string) (any, error) {
	if len(names) == 0 || len(names) > 30 {
		return nil, status.Errorf(codes.InvalidArgument, "names must name 1 to 30 services, as projects/{project}/services/{service}.")
	}
	var out []serviceJSON
	for _, n := range names {
		i := strings.LastIndex(n, "/services/")
		if i < 0 {
			return nil, status.Errorf(codes.InvalidArgument, "Invalid service name %q: expected projects/{project}/services/{service}.", n)
		}
		sv, err := s.get(projectSeg, n[i+len("/services/"):])
		if err != nil {
			return nil, err
		}
		out = append(out, sv.(serviceJSON))
	}
	return map[string]any{"services": out}, nil
}

func (s *Service) list(projectSeg string, q url.Values) (any, error) {
	project, err := s.projectOf(projectSeg)
	if err != nil {
		return nil, err
	}
	want := ""
	switch f := strings.ReplaceAll(q.Get("filter"), " ", ""); f {
	case "":
	case "state:ENABLED", "state:DISABLED":
		want = strings.TrimPrefix(f, "state:")
	default:
		return nil, status.Errorf(codes.InvalidArgument, "Invalid filter %q: the only filters are state:ENABLED and state:DISABLED.", q.Get("filter"))
	}
	size := int64(50)
	if v := q.Get("pageSize"); v != "" {
		n, err := strconv.ParseInt(v, 10, 32)
		if err != nil || n < 0 || n > 200 {
			return nil, status.Errorf(codes.InvalidArgument, "Invalid pageSize %q: at most 200.", v)
		}
		if n > 0 {
			size = n
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var names []string
	for n := range Catalog {
		if want == "" || s.describe(project, n).State == want {
			names = append(names, n)
		}
	}
	page, next, err := pages.Paginate(names, int32(size), q.Get("pageToken"))
	if err != nil {
		return nil, err
	}
	out := map[string]any{}
	var services []serviceJSON
	for _, n := range page {
		services = append(services, s.describe(project, n))
	}
	if len(services) > 0 {
		out["services"] = services
	}
	if next != "" {
		out["nextPageToken"] = next
	}
	return out, nil
}

// setState enables or disables one service.
func (s *Service) setState(projectSeg, name string, enable bool, body []byte) (any, error) {
	kind := "EnableServiceResponse"
	if enable {
		if err := decode(body, &struct{}{}); err != nil {
			return nil, err
		}
	} else {
		kind = "DisableServiceResponse"
		var req struct {
			DisableDependentServices bool   `json:"disableDependentServices"`
			CheckIfServiceHasUsage   string `json:"checkIfServiceHasUsage"`
		}
		if err := decode(body, &req); err != nil {
			return nil, err
		}
	}
	project, err := s.lookup(projectSeg, name)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.apply(project, []string{name}, enable); err != nil {
		return nil, err
	}
	return s.done(project, kind, map[string]any{"service": s.describe(project, name)})
}

// batchEnable enables up to 20 services at once.
func (s *Service) batchEnable(projectSeg string, body []byte) (any, error) {
	var req struct {
		ServiceIds []string `json:"serviceIds"`
	}
	if err := decode(body, &req); err != nil {
		return nil, err
	}
	if len(req.ServiceIds) == 0 || len(req.ServiceIds) > 20 {
		return nil, status.Errorf(codes.InvalidArgument, "serviceIds must name 1 to 20 services; got %d.", len(req.ServiceIds))
	}
	project, err := s.projectOf(projectSeg)
	if err != nil {
		return nil, err
	}
	var unknown []string
	for _, n := range req.ServiceIds {
		if _, ok := Catalog[n]; !ok {
			unknown = append(unknown, n)
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		return nil, status.Errorf(codes.PermissionDenied, "Not found or permission denied for service(s): %s.", strings.Join(unknown, ", "))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.apply(project, req.ServiceIds, true); err != nil {
		return nil, err
	}
	var services []serviceJSON
	for _, n := range req.ServiceIds {
		services = append(services, s.describe(project, n))
	}
	return s.done(project, "BatchEnableServicesResponse", map[string]any{"services": services})
}

// apply sets the services' state and persists it. The caller holds s.mu.
func (s *Service) apply(project string, names []string, enable bool) error {
	if s.enabled[project] == nil {
		s.enabled[project] = map[string]bool{}
	}
	for _, n := range names {
		if enable {
			s.enabled[project][n] = true
		} else {
			delete(s.enabled[project], n)
		}
	}
	if err := s.saveEnabled(project); err != nil {
		return status.Errorf(codes.Internal, "%v", err)
	}
	return nil
}

// done records a finished operation whose response is resp, of type
// google.api.serviceusage.v1.<kind>. The caller holds s.mu.
func (s *Service) done(project, kind string, resp map[string]any) (any, error) {
	resp["@type"] = "type.googleapis.com/google.api.serviceusage.v1." + kind
	op := &operation{Name: "operations/acat.p2-" + tokens.ProjectNumberOf(project) + "-" + lro.NewID(), Done: true,
		Metadata: map[string]any{"@type": "type.googleapis.com/google.api.serviceusage.v1.OperationMetadata"}, Response: resp}
	if err := s.kv.Put(bucketOperations, op.Name, op); err != nil {
		return nil, status.Errorf(codes.Internal, "%v", err)
	}
	s.ops[op.Name] = op
	return op, nil
}

func (s *Service) getOperation(name string) (any, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if op := s.ops[name]; op != nil {
		return op, nil
	}
	return nil, status.Errorf(codes.NotFound, "Operation '%s' not found.", name)
}
