package run

import (
	"crypto/rand"
	"regexp"
	"strings"

	"google.golang.org/grpc/codes"

	"github.com/sockerless/sockerless/simulators/gcp/internal/lro"
)

var (
	parentRE = regexp.MustCompile(`^projects/([^/]+)/locations/([^/]+)$`)
	jobRE    = regexp.MustCompile(`^projects/([^/]+)/locations/([^/]+)/jobs/([^/]+)$`)
	execRE   = regexp.MustCompile(`^projects/([^/]+)/locations/([^/]+)/jobs/([^/]+)/executions/([^/]+)$`)
	taskRE   = regexp.MustCompile(`^projects/([^/]+)/locations/([^/]+)/jobs/([^/]+)/executions/([^/]+)/tasks/([^/]+)$`)
	opRE     = regexp.MustCompile(`^projects/([^/]+)/locations/([^/]+)/operations/([^/]+)$`)
	svcRE    = regexp.MustCompile(`^projects/([^/]+)/locations/([^/]+)/services/([^/]+)$`)
	revRE    = regexp.MustCompile(`^projects/([^/]+)/locations/([^/]+)/services/([^/]+)/revisions/([^/]+)$`)
	// jobIDRE is Cloud Run's rule for a job's name: a DNS label of at
	// most 63 characters starting with a letter.
	jobIDRE = regexp.MustCompile(`^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$`)
)

// checkName fails with INVALID_ARGUMENT unless name matches re; what says
// what kind of name was expected, for the message.
func checkName(re *regexp.Regexp, name, what string) ([]string, error) {
	m := re.FindStringSubmatch(name)
	if m == nil {
		return nil, errorf(codes.InvalidArgument, "Invalid resource name %q: expected %s", name, what)
	}
	return m[1:], nil
}

const (
	parentForm = "projects/{project}/locations/{location}"
	jobForm    = parentForm + "/jobs/{job}"
	execForm   = jobForm + "/executions/{execution}"
	taskForm   = execForm + "/tasks/{task}"
	opForm     = parentForm + "/operations/{operation}"
	svcForm    = parentForm + "/services/{service}"
	revForm    = svcForm + "/revisions/{revision}"
)

// parentOf is the name up to the last two segments: a job's location, an
// execution's job, a task's execution.
func parentOf(name string) string {
	i := strings.LastIndex(name, "/")
	i = strings.LastIndex(name[:i], "/")
	return name[:i]
}

// childOf accepts the names directly under parent.
func childOf(parent string) func(name string) bool {
	return func(name string) bool { return parentOf(name) == parent }
}

// lastSegment is a name's final segment: its id.
func lastSegment(name string) string { return name[strings.LastIndex(name, "/")+1:] }

// newUID is a random UUID, as Cloud Run gives each resource.
var newUID = lro.NewID

// suffix is the five random lowercase letters and digits Cloud Run
// appends to a job's name to name an execution.
func suffix() string {
	const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
	var b [5]byte
	rand.Read(b[:])
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b[:])
}
