// Package logs simulates Amazon CloudWatch Logs' JSON 1.1 API
// (X-Amz-Target: Logs_20140328.<Operation>): log groups and streams,
// PutLogEvents, GetLogEvents with forward/backward tokens, FilterLogEvents
// with term and phrase patterns, retention, log group classes and tags
// (TagResource, UntagResource, ListTagsForResource). State is kept in memory
// and written through to bbolt, so it survives a restart.
//
// Other simulated services (Lambda, ECS's awslogs driver) write through
// Append, in process, the way AWS's own services do.
//
// Not simulated: JSON and space-delimited filter patterns (refused with
// InvalidParameterException), metric filters, subscriptions, Insights
// queries, KMS and data protection. Retention hides and refuses
// events older than the group's retention instead of deleting them later.
package logs

import (
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/sockerless/sockerless/simulators/aws/internal/account"
	"github.com/sockerless/sockerless/simulators/aws/internal/awsjson"
	"github.com/sockerless/sockerless/simulators/kit/service"
)

// TargetPrefix is the X-Amz-Target prefix of CloudWatch Logs operations.
const TargetPrefix = "Logs_20140328."

// Options configures a Service: its state file (groups, streams and
// events), the account in ARNs, and the clock used for ingestion times.
type Options = service.Base

// Service is a CloudWatch Logs endpoint. One mutex serialises requests,
// which keeps stream sequence numbers and tokens consistent.
type Service struct {
	mu sync.Mutex
	st *store
	service.Base
}

// New loads persisted state from o.DB and returns a Service.
func New(o Options) (*Service, error) {
	st, err := openStore(o.DB)
	if err != nil {
		return nil, err
	}
	return &Service{st: st, Base: o.Defaults(account.Default)}, nil
}

func invalid(format string, args ...any) *awsjson.Error {
	return awsjson.BadRequest("InvalidParameterException", fmt.Sprintf(format, args...))
}

func groupNotFound() *awsjson.Error {
	return awsjson.BadRequest("ResourceNotFoundException", "The specified log group does not exist.")
}

func streamNotFound() *awsjson.Error {
	return awsjson.BadRequest("ResourceNotFoundException", "The specified log stream does not exist.")
}

func exists(what string) *awsjson.Error {
	return awsjson.BadRequest("ResourceAlreadyExistsException", "The specified "+what+" already exists")
}

func internal(err error) *awsjson.Error {
	return &awsjson.Error{Type: "ServiceUnavailableException", Message: err.Error(), Status: http.StatusInternalServerError}
}

var api = awsjson.API[Service]{
	Ops: map[string]awsjson.Handler[Service]{
		"CreateLogGroup":        awsjson.Op((*Service).createLogGroup),
		"DeleteLogGroup":        awsjson.Op((*Service).deleteLogGroup),
		"DescribeLogGroups":     awsjson.Op((*Service).describeLogGroups),
		"PutRetentionPolicy":    awsjson.Op((*Service).putRetentionPolicy),
		"DeleteRetentionPolicy": awsjson.Op((*Service).deleteRetentionPolicy),
		"CreateLogStream":       awsjson.Op((*Service).createLogStream),
		"DeleteLogStream":       awsjson.Op((*Service).deleteLogStream),
		"DescribeLogStreams":    awsjson.Op((*Service).describeLogStreams),
		"PutLogEvents":          awsjson.Op((*Service).putLogEvents),
		"GetLogEvents":          awsjson.Op((*Service).getLogEvents),
		"FilterLogEvents":       awsjson.Op((*Service).filterLogEvents),
		"TagResource":           awsjson.Op((*Service).tagResource),
		"UntagResource":         awsjson.Op((*Service).untagResource),
		"ListTagsForResource":   awsjson.Op((*Service).listTagsForResource),
	},
	Internal: func(err error) awsjson.Fault { return internal(err) },
}

// Handle serves one operation and returns the HTTP status and JSON body.
func (s *Service) Handle(region, operation string, body []byte) (int, []byte) {
	return api.ServeLocked(&s.mu, s, region, operation, body)
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
	now := s.Now().UnixMilli()
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
