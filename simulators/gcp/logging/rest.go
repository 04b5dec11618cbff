package logging

import (
	"net/http"

	"github.com/sockerless/sockerless/simulators/gcp/internal/googlerest"
)

// REST is the API's REST methods (logging.googleapis.com/v2), as gcloud
// and google.golang.org/api/logging/v2 call them.
func (s *Service) REST() []googlerest.Method {
	return []googlerest.Method{
		googlerest.Bind(http.MethodPost, `/v2/entries:write`, "", "*", s.WriteLogEntries),
		googlerest.Bind(http.MethodPost, `/v2/entries:list`, "", "*", s.ListLogEntries),
		googlerest.Bind(http.MethodGet, `/v2/(projects/[^/:]+)/logs`, "parent", "", s.ListLogs),
		googlerest.Bind(http.MethodDelete, `/v2/(projects/[^/:]+/logs/[^/]+)`, "log_name", "", s.DeleteLog),
	}
}
