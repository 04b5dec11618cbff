package logs

import (
	"encoding/base64"
	"fmt"
	"hash/crc32"
	"sort"
	"strings"

	"github.com/sockerless/sockerless/simulators/aws/internal/awsjson"
)

// pattern is a parsed text filter pattern: every term must occur, none of
// the excluded ones may, and if there are optional (?term) ones at least
// one must. Matching is case-sensitive, as in CloudWatch Logs.
type pattern struct {
	all, none, any []string
}

// parsePattern parses CloudWatch Logs' unstructured filter syntax: plain
// terms, "quoted phrases", -excluded and ?optional terms. JSON ({ ... })
// and space-delimited ([ ... ]) patterns are rejected as not simulated.
func parsePattern(src string) (pattern, *awsjson.Error) {
	var p pattern
	src = strings.TrimSpace(src)
	if strings.HasPrefix(src, "{") || strings.HasPrefix(src, "[") {
		return p, invalid("awssim: JSON and space-delimited filter patterns are not simulated; use terms and quoted phrases")
	}
	for src != "" {
		var prefix byte
		if src[0] == '-' || src[0] == '?' {
			prefix, src = src[0], src[1:]
		}
		var term string
		if strings.HasPrefix(src, `"`) {
			end := strings.IndexByte(src[1:], '"')
			if end < 0 {
				return p, invalid("Invalid character(s) in term '%s'", src)
			}
			term, src = src[1:end+1], src[end+2:]
		} else {
			end := strings.IndexAny(src, " \t")
			if end < 0 {
				end = len(src)
			}
			term, src = src[:end], src[end:]
		}
		src = strings.TrimLeft(src, " \t")
		if term == "" {
			continue
		}
		switch prefix {
		case '-':
			p.none = append(p.none, term)
		case '?':
			p.any = append(p.any, term)
		default:
			p.all = append(p.all, term)
		}
	}
	return p, nil
}

func (p pattern) match(msg string) bool {
	for _, t := range p.all {
		if !strings.Contains(msg, t) {
			return false
		}
	}
	for _, t := range p.none {
		if strings.Contains(msg, t) {
			return false
		}
	}
	if len(p.any) == 0 {
		return true
	}
	for _, t := range p.any {
		if strings.Contains(msg, t) {
			return true
		}
	}
	return false
}

type filterIn struct {
	LogGroupName        string   `json:"logGroupName"`
	LogGroupIdentifier  string   `json:"logGroupIdentifier"`
	LogStreamNames      []string `json:"logStreamNames"`
	LogStreamNamePrefix string   `json:"logStreamNamePrefix"`
	StartTime           *int64   `json:"startTime"`
	EndTime             *int64   `json:"endTime"`
	FilterPattern       string   `json:"filterPattern"`
	Limit               *int     `json:"limit"`
	NextToken           string   `json:"nextToken"`
	Interleaved         bool     `json:"interleaved"` // always true now
}

type filteredEvent struct {
	LogStreamName string `json:"logStreamName"`
	Timestamp     int64  `json:"timestamp"`
	Message       string `json:"message"`
	IngestionTime int64  `json:"ingestionTime"`
	EventID       string `json:"eventId"`
}

type searchedStream struct {
	LogStreamName      string `json:"logStreamName"`
	SearchedCompletely bool   `json:"searchedCompletely"`
}

type filterOut struct {
	Events             []filteredEvent  `json:"events"`
	SearchedLogStreams []searchedStream `json:"searchedLogStreams"`
	NextToken          string           `json:"nextToken,omitempty"`
}

// hit is a matching event with the stream it came from; hits are ordered
// by (timestamp, stream, sequence), and the next token is the last one's.
type hit struct {
	stream string
	e      event
}

// token encodes h's position; a stream name never holds a NUL.
func (h hit) token() string {
	return base64.RawURLEncoding.EncodeToString(fmt.Appendf(nil, "%d\x00%d\x00%s", h.e.Timestamp, h.e.Seq, h.stream))
}

func parseHitToken(tok string) (hit, bool) {
	b, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil {
		return hit{}, false
	}
	f := strings.SplitN(string(b), "\x00", 3)
	if len(f) != 3 {
		return hit{}, false
	}
	var h hit
	_, err1 := fmt.Sscan(f[0], &h.e.Timestamp)
	_, err2 := fmt.Sscan(f[1], &h.e.Seq)
	h.stream = f[2]
	return h, err1 == nil && err2 == nil
}

func (h hit) before(o hit) bool {
	if h.e.Timestamp != o.e.Timestamp {
		return h.e.Timestamp < o.e.Timestamp
	}
	if h.stream != o.stream {
		return h.stream < o.stream
	}
	return h.e.Seq < o.e.Seq
}

func (s *Service) filterLogEvents(region string, in *filterIn) (filterOut, *awsjson.Error) {
	limit, aerr := checkLimit(in.Limit, 10000)
	if aerr != nil {
		return filterOut{}, aerr
	}
	if len(in.LogStreamNames) > 0 && in.LogStreamNamePrefix != "" {
		return filterOut{}, invalid("You cannot specify both LogStreamNames and LogStreamNamePrefix.")
	}
	name := in.LogGroupName
	if name == "" {
		// logGroupIdentifier may be a name or an ARN.
		name = strings.TrimSuffix(in.LogGroupIdentifier, ":*")
		if i := strings.LastIndex(name, ":log-group:"); i >= 0 {
			name = name[i+len(":log-group:"):]
		}
	}
	g, aerr := s.findGroup(region, name)
	if aerr != nil {
		return filterOut{}, aerr
	}
	pat, aerr := parsePattern(in.FilterPattern)
	if aerr != nil {
		return filterOut{}, aerr
	}
	var after hit
	if in.NextToken != "" {
		var ok bool
		if after, ok = parseHitToken(in.NextToken); !ok {
			return filterOut{}, invalid("The specified nextToken is invalid.")
		}
	}
	out := filterOut{Events: []filteredEvent{}, SearchedLogStreams: []searchedStream{}}
	var hits []hit
	retained := s.retained(g)
	for _, st := range g.streams {
		if !streamSelected(st.meta.Name, in.LogStreamNames, in.LogStreamNamePrefix) {
			continue
		}
		out.SearchedLogStreams = append(out.SearchedLogStreams, searchedStream{LogStreamName: st.meta.Name, SearchedCompletely: true})
		for _, e := range st.events {
			if inWindow(e.Timestamp, retained, in.StartTime, in.EndTime) && pat.match(e.Message) {
				hits = append(hits, hit{stream: st.meta.Name, e: e})
			}
		}
	}
	sort.Slice(out.SearchedLogStreams, func(i, j int) bool {
		return out.SearchedLogStreams[i].LogStreamName < out.SearchedLogStreams[j].LogStreamName
	})
	sort.Slice(hits, func(i, j int) bool { return hits[i].before(hits[j]) })
	start := 0
	if in.NextToken != "" {
		start = sort.Search(len(hits), func(i int) bool { return after.before(hits[i]) })
	}
	end := min(start+limit, len(hits))
	for _, h := range hits[start:end] {
		out.Events = append(out.Events, filteredEvent{
			LogStreamName: h.stream,
			Timestamp:     h.e.Timestamp,
			Message:       h.e.Message,
			IngestionTime: h.e.Ingestion,
			EventID:       fmt.Sprintf("%020d%010d%026d", h.e.Timestamp, crc32.ChecksumIEEE([]byte(h.stream)), h.e.Seq),
		})
	}
	if end < len(hits) {
		out.NextToken = hits[end-1].token()
	}
	return out, nil
}

func streamSelected(name string, names []string, prefix string) bool {
	if len(names) == 0 {
		return strings.HasPrefix(name, prefix)
	}
	for _, n := range names {
		if n == name {
			return true
		}
	}
	return false
}
