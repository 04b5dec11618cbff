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
	"time"

	"github.com/sockerless/sockerless/simulators/aws/internal/awsjson"
	"github.com/sockerless/sockerless/simulators/kit/service"
)

// TargetPrefix is the X-Amz-Target prefix of CloudWatch Logs operations.
const TargetPrefix = "Logs_20140328."

// Service is a CloudWatch Logs endpoint. One mutex serialises requests,
// which keeps stream sequence numbers and tokens consistent.
type Service struct{ awsjson.Core[*store] }

// New loads persisted state from o.DB and returns a Service.
func New(o service.Base) (*Service, error) {
	return awsjson.Open(o, openStore, &api, func(c awsjson.Core[*store]) *Service { return &Service{c} })
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

// Event is one log line written in process through Append.
type Event struct {
	Timestamp time.Time
	Message   string
}

// Append writes events to group/stream in region, creating the group and
// the stream when missing, as Lambda and the awslogs driver do. Events
// need not be sorted.
func (s *Service) Append(region, group, stream string, events ...Event) error {
	s.Mu.Lock()
	defer s.Mu.Unlock()
	now := s.Now().UnixMilli()
	g := s.St.group(region, group)
	if g == nil {
		g = newGroup(groupMeta{Region: region, Name: group, Created: now})
		if err := s.St.putGroup(g); err != nil {
			return err
		}
	}
	st := g.streams[stream]
	if st == nil {
		st = &logStream{meta: streamMeta{Name: stream, Created: now}}
		if err := s.St.putStream(g, st, nil); err != nil {
			return err
		}
	}
	evs := make([]event, len(events))
	for i, e := range events {
		evs[i] = event{Timestamp: e.Timestamp.UnixMilli(), Message: e.Message, Ingestion: now}
	}
	return s.St.putStream(g, st, evs)
}

func groupARN(region, account, name string) string {
	return fmt.Sprintf("arn:aws:logs:%s:%s:log-group:%s", region, account, name)
}
