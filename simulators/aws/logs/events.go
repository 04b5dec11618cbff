package logs

import (
	"fmt"
	"math"
	"sort"
	"time"

	"github.com/sockerless/sockerless/simulators/aws/internal/awsjson"
)

const (
	maxEventAge     = 14 * 24 * time.Hour
	maxEventFuture  = 2 * time.Hour
	maxBatchSpan    = 24 * time.Hour
	eventOverhead   = 26 // bytes AWS counts per event on top of its message
	maxResponseSize = 1 << 20
)

type inputEvent struct {
	Timestamp *int64 `json:"timestamp"`
	Message   string `json:"message"`
}

type putEventsIn struct {
	LogGroupName  string       `json:"logGroupName"`
	LogStreamName string       `json:"logStreamName"`
	LogEvents     []inputEvent `json:"logEvents"`
	SequenceToken string       `json:"sequenceToken"` // ignored, as AWS now does
}

type rejectedInfo struct {
	TooNewLogEventStartIndex *int `json:"tooNewLogEventStartIndex,omitempty"`
	TooOldLogEventEndIndex   *int `json:"tooOldLogEventEndIndex,omitempty"`
	ExpiredLogEventEndIndex  *int `json:"expiredLogEventEndIndex,omitempty"`
}

type putEventsOut struct {
	NextSequenceToken     string        `json:"nextSequenceToken"`
	RejectedLogEventsInfo *rejectedInfo `json:"rejectedLogEventsInfo,omitempty"`
}

func (s *Service) putLogEvents(region string, in *putEventsIn) (putEventsOut, *awsjson.Error) {
	if len(in.LogEvents) == 0 {
		return putEventsOut{}, invalid("1 validation error detected: Value '[]' at 'logEvents' failed to satisfy constraint: Member must have length greater than or equal to 1")
	}
	for i, e := range in.LogEvents {
		if e.Timestamp == nil {
			return putEventsOut{}, invalid("1 validation error detected: Value null at 'logEvents.%d.member.timestamp' failed to satisfy constraint: Member must not be null", i+1)
		}
		if e.Message == "" {
			return putEventsOut{}, invalid("1 validation error detected: Value '' at 'logEvents.%d.member.message' failed to satisfy constraint: Member must have length greater than or equal to 1", i+1)
		}
		if i > 0 && *e.Timestamp < *in.LogEvents[i-1].Timestamp {
			return putEventsOut{}, invalid("Log events in a single PutLogEvents request must be in chronological order.")
		}
	}
	first, last := *in.LogEvents[0].Timestamp, *in.LogEvents[len(in.LogEvents)-1].Timestamp
	if time.Duration(last-first)*time.Millisecond > maxBatchSpan {
		return putEventsOut{}, invalid("The batch of log events in a single PutLogEvents request cannot span more than 24 hours.")
	}
	g, st, aerr := s.findStream(region, in.LogGroupName, in.LogStreamName)
	if aerr != nil {
		return putEventsOut{}, aerr
	}
	now := s.Now()
	tooOld := now.Add(-maxEventAge).UnixMilli()
	tooNew := now.Add(maxEventFuture).UnixMilli()
	expired := s.retained(g)
	var info rejectedInfo
	var keep []event
	for i, e := range in.LogEvents {
		ts := *e.Timestamp
		switch {
		case ts < tooOld:
			info.TooOldLogEventEndIndex = ptr(i + 1)
		case ts < expired:
			info.ExpiredLogEventEndIndex = ptr(i + 1)
		case ts > tooNew:
			if info.TooNewLogEventStartIndex == nil {
				info.TooNewLogEventStartIndex = ptr(i)
			}
		default:
			keep = append(keep, event{Timestamp: ts, Message: e.Message, Ingestion: now.UnixMilli()})
		}
	}
	if err := s.St.putStream(g, st, keep); err != nil {
		return putEventsOut{}, internal(err)
	}
	out := putEventsOut{NextSequenceToken: sequenceToken(st.meta.Seq)}
	if len(keep) < len(in.LogEvents) {
		out.RejectedLogEventsInfo = &info
	}
	return out, nil
}

func ptr[T any](v T) *T { return &v }

// retained is the oldest timestamp g's retention keeps. Older events are
// refused on write and hidden on read, as if AWS had already expired them.
func (s *Service) retained(g *group) int64 {
	if g.meta.Retention == 0 {
		return math.MinInt64
	}
	return s.Now().Add(-time.Duration(g.meta.Retention) * 24 * time.Hour).UnixMilli()
}

// inWindow applies an optional [start, end) time window and retention.
func inWindow(ts, retained int64, start, end *int64) bool {
	return ts >= retained && (start == nil || ts >= *start) && (end == nil || ts < *end)
}

type getEventsIn struct {
	LogGroupName  string `json:"logGroupName"`
	LogStreamName string `json:"logStreamName"`
	StartTime     *int64 `json:"startTime"`
	EndTime       *int64 `json:"endTime"`
	Limit         *int   `json:"limit"`
	NextToken     string `json:"nextToken"`
	StartFromHead bool   `json:"startFromHead"`
}

type outputEvent struct {
	Timestamp     int64  `json:"timestamp"`
	Message       string `json:"message"`
	IngestionTime int64  `json:"ingestionTime"`
}

type getEventsOut struct {
	Events            []outputEvent `json:"events"`
	NextForwardToken  string        `json:"nextForwardToken"`
	NextBackwardToken string        `json:"nextBackwardToken"`
}

// A GetLogEvents token names a position between events: "f/<pos>" reads
// the events after pos, "b/<pos>" the events before it. A position is an
// event's (timestamp, sequence number), so tokens stay valid while events
// are added. Reading past the end returns the token it was given, which is
// how AWS tells a follower that nothing new has arrived.
func encodeToken(dir byte, e event) string {
	return fmt.Sprintf("%c/%020d%020d", dir, e.Timestamp, e.Seq)
}

func decodeToken(tok string) (byte, event, bool) {
	var e event
	if len(tok) != 42 || (tok[0] != 'f' && tok[0] != 'b') || tok[1] != '/' {
		return 0, e, false
	}
	if _, err := fmt.Sscanf(tok[2:22], "%d", &e.Timestamp); err != nil {
		return 0, e, false
	}
	if _, err := fmt.Sscanf(tok[22:], "%d", &e.Seq); err != nil {
		return 0, e, false
	}
	return tok[0], e, true
}

var (
	headPos = event{}                                              // before every event: sequence numbers start at 1
	tailPos = event{Timestamp: math.MaxInt64, Seq: math.MaxUint64} // after every event
)

func (s *Service) getLogEvents(region string, in *getEventsIn) (getEventsOut, *awsjson.Error) {
	limit, aerr := checkLimit(in.Limit, 10000)
	if aerr != nil {
		return getEventsOut{}, aerr
	}
	dir, pos := byte('b'), tailPos
	if in.StartFromHead {
		dir, pos = 'f', headPos
	}
	if in.NextToken != "" {
		var ok bool
		if dir, pos, ok = decodeToken(in.NextToken); !ok {
			return getEventsOut{}, invalid("The specified nextToken is invalid.")
		}
	}
	g, st, aerr := s.findStream(region, in.LogGroupName, in.LogStreamName)
	if aerr != nil {
		return getEventsOut{}, aerr
	}
	retained := s.retained(g)
	var evs []event
	for _, e := range st.events {
		if inWindow(e.Timestamp, retained, in.StartTime, in.EndTime) {
			evs = append(evs, e)
		}
	}
	// i is the first event after pos; the page is evs[lo:hi].
	i := sort.Search(len(evs), func(i int) bool { return pos.before(evs[i]) })
	var lo, hi int
	if dir == 'f' {
		lo, hi = i, i
		for size := 0; hi < len(evs) && hi-lo < limit; hi++ {
			if size += len(evs[hi].Message) + eventOverhead; size > maxResponseSize {
				break
			}
		}
	} else {
		if i > 0 && !evs[i-1].before(pos) {
			i-- // pos is itself an event: it is not before itself
		}
		lo, hi = i, i
		for size := 0; lo > 0 && hi-lo < limit; lo-- {
			if size += len(evs[lo-1].Message) + eventOverhead; size > maxResponseSize {
				break
			}
		}
	}
	out := getEventsOut{Events: []outputEvent{}}
	for _, e := range evs[lo:hi] {
		out.Events = append(out.Events, outputEvent{Timestamp: e.Timestamp, Message: e.Message, IngestionTime: e.Ingestion})
	}
	if lo == hi {
		out.NextForwardToken, out.NextBackwardToken = encodeToken('f', pos), encodeToken('b', pos)
		return out, nil
	}
	out.NextForwardToken = encodeToken('f', evs[hi-1])
	out.NextBackwardToken = encodeToken('b', evs[lo])
	return out, nil
}
