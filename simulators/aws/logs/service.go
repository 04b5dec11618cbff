// Package logs simulates Amazon CloudWatch Logs' JSON 1.1 API
// (X-Amz-Target: Logs_20140328.<Operation>): log groups and streams,
// PutLogEvents, GetLogEvents with forward/backward tokens, FilterLogEvents
// with term and phrase patterns, and retention. State is kept in memory
// and written through to bbolt, so it survives a restart.
//
// Other simulated services (Lambda, ECS's awslogs driver) write through
// Append, in process, the way AWS's own services do.
//
// Not simulated: JSON and space-delimited filter patterns (refused with
// InvalidParameterException), metric filters, subscriptions, Insights
// queries, KMS, tags and data protection. Retention hides and refuses
// events older than the group's retention instead of deleting them later.
package logs

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"go.etcd.io/bbolt"
)

// TargetPrefix is the X-Amz-Target prefix of CloudWatch Logs operations.
const TargetPrefix = "Logs_20140328."

// Options configures a Service.
type Options struct {
	// DB persists groups, streams and events; nil keeps them in memory.
	DB *bbolt.DB
	// AccountID appears in ARNs.
	AccountID string
	// Now is the clock used for ingestion times; nil means time.Now.
	Now func() time.Time
}

// Service is a CloudWatch Logs endpoint. One mutex serialises requests,
// which keeps stream sequence numbers and tokens consistent.
type Service struct {
	mu      sync.Mutex
	st      *store
	account string
	now     func() time.Time
}

// New loads persisted state from o.DB and returns a Service.
func New(o Options) (*Service, error) {
	st, err := openStore(o.DB)
	if err != nil {
		return nil, err
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.AccountID == "" {
		o.AccountID = "000000000000"
	}
	return &Service{st: st, account: o.AccountID, now: o.Now}, nil
}

// apiError is an error in CloudWatch Logs' JSON 1.1 shape.
type apiError struct {
	Type    string
	Message string
	Status  int
}

func (e *apiError) Error() string { return e.Type + ": " + e.Message }

func invalid(format string, args ...any) *apiError {
	return &apiError{Type: "InvalidParameterException", Message: fmt.Sprintf(format, args...), Status: http.StatusBadRequest}
}

func groupNotFound() *apiError {
	return &apiError{Type: "ResourceNotFoundException", Message: "The specified log group does not exist.", Status: http.StatusBadRequest}
}

func streamNotFound() *apiError {
	return &apiError{Type: "ResourceNotFoundException", Message: "The specified log stream does not exist.", Status: http.StatusBadRequest}
}

func exists(what string) *apiError {
	return &apiError{Type: "ResourceAlreadyExistsException", Message: "The specified " + what + " already exists", Status: http.StatusBadRequest}
}

func internal(err error) *apiError {
	return &apiError{Type: "ServiceUnavailableException", Message: err.Error(), Status: http.StatusInternalServerError}
}

type handler func(s *Service, region string, body []byte) (any, *apiError)

var handlers = map[string]handler{
	"CreateLogGroup":        decoded((*Service).createLogGroup),
	"DeleteLogGroup":        decoded((*Service).deleteLogGroup),
	"DescribeLogGroups":     decoded((*Service).describeLogGroups),
	"PutRetentionPolicy":    decoded((*Service).putRetentionPolicy),
	"DeleteRetentionPolicy": decoded((*Service).deleteRetentionPolicy),
	"CreateLogStream":       decoded((*Service).createLogStream),
	"DeleteLogStream":       decoded((*Service).deleteLogStream),
	"DescribeLogStreams":    decoded((*Service).describeLogStreams),
	"PutLogEvents":          decoded((*Service).putLogEvents),
	"GetLogEvents":          decoded((*Service).getLogEvents),
	"FilterLogEvents":       decoded((*Service).filterLogEvents),
}

func decoded[In any, Out any](op func(*Service, string, *In) (Out, *apiError)) handler {
	return func(s *Service, region string, body []byte) (any, *apiError) {
		in := new(In)
		if len(body) == 0 {
			body = []byte("{}")
		}
		if err := json.Unmarshal(body, in); err != nil {
			var ae *apiError
			if errors.As(err, &ae) {
				return nil, ae
			}
			return nil, &apiError{Type: "SerializationException", Message: err.Error(), Status: http.StatusBadRequest}
		}
		return op(s, region, in)
	}
}

// Handle serves one operation and returns the HTTP status and JSON body.
func (s *Service) Handle(region, operation string, body []byte) (int, []byte) {
	h, ok := handlers[operation]
	if !ok {
		return encodeError(&apiError{Type: "UnknownOperationException", Message: "Unknown operation " + operation, Status: http.StatusBadRequest})
	}
	s.mu.Lock()
	out, aerr := h(s, region, body)
	s.mu.Unlock()
	if aerr != nil {
		return encodeError(aerr)
	}
	b, err := json.Marshal(out)
	if err != nil {
		return encodeError(internal(err))
	}
	return http.StatusOK, b
}

func encodeError(e *apiError) (int, []byte) {
	b, _ := json.Marshal(map[string]string{"__type": e.Type, "message": e.Message})
	return e.Status, b
}

// AuthError renders a request-authentication failure as CloudWatch Logs does.
func AuthError(kind, message string) (int, []byte) {
	return encodeError(&apiError{Type: kind, Message: message, Status: http.StatusBadRequest})
}

// Event is one log line written in process through Append.
type Event struct {
	Timestamp time.Time
	Message   string
}

// Append writes events to group/stream in region, creating the group and
// the stream when missing, as Lambda and the awslogs driver do. Events
// need not be sorted.
func (s *Service) Append(region, group, stream string, events ...Event) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now().UnixMilli()
	g := s.st.group(region, group)
	if g == nil {
		g = newGroup(groupMeta{Region: region, Name: group, Created: now})
		if err := s.st.putGroup(g); err != nil {
			return err
		}
	}
	st := g.streams[stream]
	if st == nil {
		st = &logStream{meta: streamMeta{Name: stream, Created: now}}
		if err := s.st.putStream(g, st, nil); err != nil {
			return err
		}
	}
	evs := make([]event, len(events))
	for i, e := range events {
		evs[i] = event{Timestamp: e.Timestamp.UnixMilli(), Message: e.Message, Ingestion: now}
	}
	return s.st.putStream(g, st, evs)
}

func groupARN(region, account, name string) string {
	return fmt.Sprintf("arn:aws:logs:%s:%s:log-group:%s", region, account, name)
}
