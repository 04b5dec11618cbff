package logs

import (
	"encoding/base64"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/sockerless/sockerless/simulators/aws/internal/awsjson"
)

var (
	groupNameRE  = regexp.MustCompile(`^[\.\-_/#A-Za-z0-9]{1,512}$`)
	streamNameRE = regexp.MustCompile(`^[^:*]{1,512}$`)
)

// retentionDays are the values PutRetentionPolicy accepts.
var retentionDays = []int32{1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653}

type groupIn struct {
	LogGroupName    string            `json:"logGroupName"`
	RetentionInDays int32             `json:"retentionInDays"`
	LogGroupClass   string            `json:"logGroupClass"`
	Tags            map[string]string `json:"tags"`
}

type empty struct{}

func checkGroupName(name string) *awsjson.Error {
	if name == "" {
		return invalid("1 validation error detected: Value null at 'logGroupName' failed to satisfy constraint: Member must not be null")
	}
	if !groupNameRE.MatchString(name) {
		return invalid("1 validation error detected: Value '%s' at 'logGroupName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_/#A-Za-z0-9]+", name)
	}
	return nil
}

func (s *Service) findGroup(region, name string) (*group, *awsjson.Error) {
	if err := checkGroupName(name); err != nil {
		return nil, err
	}
	g := s.St.group(region, name)
	if g == nil {
		return nil, groupNotFound()
	}
	return g, nil
}

func (s *Service) createLogGroup(region string, in *groupIn) (empty, *awsjson.Error) {
	if err := checkGroupName(in.LogGroupName); err != nil {
		return empty{}, err
	}
	class, aerr := checkClass(in.LogGroupClass)
	if aerr != nil {
		return empty{}, aerr
	}
	tags, aerr := mergeTags(nil, in.Tags)
	if aerr != nil {
		return empty{}, aerr
	}
	if s.St.group(region, in.LogGroupName) != nil {
		return empty{}, exists("log group")
	}
	g := newGroup(groupMeta{Region: region, Name: in.LogGroupName, Created: s.Now().UnixMilli(), Class: class, Tags: tags})
	if err := s.St.putGroup(g); err != nil {
		return empty{}, internal(err)
	}
	return empty{}, nil
}

func (s *Service) deleteLogGroup(region string, in *groupIn) (empty, *awsjson.Error) {
	g, aerr := s.findGroup(region, in.LogGroupName)
	if aerr != nil {
		return empty{}, aerr
	}
	if err := s.St.dropGroup(g); err != nil {
		return empty{}, internal(err)
	}
	return empty{}, nil
}

func (s *Service) putRetentionPolicy(region string, in *groupIn) (empty, *awsjson.Error) {
	if !slices.Contains(retentionDays, in.RetentionInDays) {
		return empty{}, invalid("1 validation error detected: Value '%d' at 'retentionInDays' failed to satisfy constraint: Member must satisfy enum value set: %v", in.RetentionInDays, retentionDays)
	}
	return s.setRetention(region, in.LogGroupName, in.RetentionInDays)
}

func (s *Service) deleteRetentionPolicy(region string, in *groupIn) (empty, *awsjson.Error) {
	return s.setRetention(region, in.LogGroupName, 0)
}

func (s *Service) setRetention(region, name string, days int32) (empty, *awsjson.Error) {
	g, aerr := s.findGroup(region, name)
	if aerr != nil {
		return empty{}, aerr
	}
	old := g.meta
	g.meta.Retention = days
	if err := s.St.putGroup(g); err != nil {
		g.meta = old
		return empty{}, internal(err)
	}
	return empty{}, nil
}

type describeGroupsIn struct {
	LogGroupNamePrefix  string `json:"logGroupNamePrefix"`
	LogGroupNamePattern string `json:"logGroupNamePattern"`
	Limit               *int   `json:"limit"`
	NextToken           string `json:"nextToken"`
}

type logGroupOut struct {
	Arn               string `json:"arn"`
	LogGroupArn       string `json:"logGroupArn"`
	LogGroupName      string `json:"logGroupName"`
	CreationTime      int64  `json:"creationTime"`
	RetentionInDays   int32  `json:"retentionInDays,omitempty"`
	MetricFilterCount int    `json:"metricFilterCount"`
	StoredBytes       int64  `json:"storedBytes"`
	LogGroupClass     string `json:"logGroupClass"`
}

type describeGroupsOut struct {
	LogGroups []logGroupOut `json:"logGroups"`
	NextToken string        `json:"nextToken,omitempty"`
}

func (s *Service) describeLogGroups(region string, in *describeGroupsIn) (describeGroupsOut, *awsjson.Error) {
	limit, aerr := checkLimit(in.Limit, 50)
	if aerr != nil {
		return describeGroupsOut{}, aerr
	}
	if in.LogGroupNamePrefix != "" && in.LogGroupNamePattern != "" {
		return describeGroupsOut{}, invalid("LogGroupNamePrefix and LogGroupNamePattern are mutually exclusive parameters.")
	}
	var names []string
	for _, g := range s.St.groups {
		if g.meta.Region == region && strings.HasPrefix(g.meta.Name, in.LogGroupNamePrefix) && strings.Contains(g.meta.Name, in.LogGroupNamePattern) {
			names = append(names, g.meta.Name)
		}
	}
	page, next, aerr := paginate(names, in.NextToken, limit)
	if aerr != nil {
		return describeGroupsOut{}, aerr
	}
	out := describeGroupsOut{LogGroups: []logGroupOut{}, NextToken: next}
	for _, name := range page {
		g := s.St.group(region, name)
		arn := groupARN(region, s.AccountID, name)
		var bytes int64
		for _, st := range g.streams {
			for _, e := range st.events {
				bytes += int64(len(e.Message))
			}
		}
		out.LogGroups = append(out.LogGroups, logGroupOut{Arn: arn + ":*", LogGroupArn: arn, LogGroupName: name, CreationTime: g.meta.Created, RetentionInDays: g.meta.Retention, StoredBytes: bytes, LogGroupClass: classOf(g.meta)})
	}
	return out, nil
}

// checkLimit validates an optional page size against AWS's 1..max range.
func checkLimit(limit *int, max int) (int, *awsjson.Error) {
	if limit == nil {
		return max, nil
	}
	if *limit < 1 || *limit > max {
		return 0, invalid("1 validation error detected: Value '%d' at 'limit' failed to satisfy constraint: Member must have value between 1 and %d", *limit, max)
	}
	return *limit, nil
}

// paginate pages through sorted names; the token is the next name.
func paginate(names []string, token string, limit int) ([]string, string, *awsjson.Error) {
	sort.Strings(names)
	start := 0
	if token != "" {
		b, err := base64.RawURLEncoding.DecodeString(token)
		if err != nil {
			return nil, "", invalid("The specified nextToken is invalid.")
		}
		start = sort.SearchStrings(names, string(b))
	}
	end := min(start+limit, len(names))
	next := ""
	if end < len(names) {
		next = base64.RawURLEncoding.EncodeToString([]byte(names[end]))
	}
	return names[start:end], next, nil
}

type streamIn struct {
	LogGroupName  string `json:"logGroupName"`
	LogStreamName string `json:"logStreamName"`
}

func checkStreamName(name string) *awsjson.Error {
	if name == "" {
		return invalid("1 validation error detected: Value null at 'logStreamName' failed to satisfy constraint: Member must not be null")
	}
	if !streamNameRE.MatchString(name) {
		return invalid("1 validation error detected: Value '%s' at 'logStreamName' failed to satisfy constraint: Member must satisfy regular expression pattern: [^:*]*", name)
	}
	return nil
}

func (s *Service) findStream(region, groupName, name string) (*group, *logStream, *awsjson.Error) {
	if err := checkStreamName(name); err != nil {
		return nil, nil, err
	}
	g, aerr := s.findGroup(region, groupName)
	if aerr != nil {
		return nil, nil, aerr
	}
	st := g.streams[name]
	if st == nil {
		return nil, nil, streamNotFound()
	}
	return g, st, nil
}

func (s *Service) createLogStream(region string, in *streamIn) (empty, *awsjson.Error) {
	if err := checkStreamName(in.LogStreamName); err != nil {
		return empty{}, err
	}
	g, aerr := s.findGroup(region, in.LogGroupName)
	if aerr != nil {
		return empty{}, aerr
	}
	if g.streams[in.LogStreamName] != nil {
		return empty{}, exists("log stream")
	}
	st := &logStream{meta: streamMeta{Name: in.LogStreamName, Created: s.Now().UnixMilli()}}
	if err := s.St.putStream(g, st, nil); err != nil {
		return empty{}, internal(err)
	}
	return empty{}, nil
}

func (s *Service) deleteLogStream(region string, in *streamIn) (empty, *awsjson.Error) {
	g, _, aerr := s.findStream(region, in.LogGroupName, in.LogStreamName)
	if aerr != nil {
		return empty{}, aerr
	}
	if err := s.St.dropStream(g, in.LogStreamName); err != nil {
		return empty{}, internal(err)
	}
	return empty{}, nil
}

type describeStreamsIn struct {
	LogGroupName        string `json:"logGroupName"`
	LogStreamNamePrefix string `json:"logStreamNamePrefix"`
	OrderBy             string `json:"orderBy"`
	Descending          bool   `json:"descending"`
	Limit               *int   `json:"limit"`
	NextToken           string `json:"nextToken"`
}

type logStreamOut struct {
	Arn                 string `json:"arn"`
	LogStreamName       string `json:"logStreamName"`
	CreationTime        int64  `json:"creationTime"`
	FirstEventTimestamp int64  `json:"firstEventTimestamp,omitempty"`
	LastEventTimestamp  int64  `json:"lastEventTimestamp,omitempty"`
	LastIngestionTime   int64  `json:"lastIngestionTime,omitempty"`
	UploadSequenceToken string `json:"uploadSequenceToken"`
	StoredBytes         int64  `json:"storedBytes"`
}

type describeStreamsOut struct {
	LogStreams []logStreamOut `json:"logStreams"`
	NextToken  string         `json:"nextToken,omitempty"`
}

func (s *Service) describeLogStreams(region string, in *describeStreamsIn) (describeStreamsOut, *awsjson.Error) {
	limit, aerr := checkLimit(in.Limit, 50)
	if aerr != nil {
		return describeStreamsOut{}, aerr
	}
	switch in.OrderBy {
	case "", "LogStreamName":
	case "LastEventTime":
		if in.LogStreamNamePrefix != "" {
			return describeStreamsOut{}, invalid("Cannot order by LastEventTime with a logStreamNamePrefix.")
		}
	default:
		return describeStreamsOut{}, invalid("1 validation error detected: Value '%s' at 'orderBy' failed to satisfy constraint: Member must satisfy enum value set: [LogStreamName, LastEventTime]", in.OrderBy)
	}
	g, aerr := s.findGroup(region, in.LogGroupName)
	if aerr != nil {
		return describeStreamsOut{}, aerr
	}
	var all []*logStream
	for name, st := range g.streams {
		if strings.HasPrefix(name, in.LogStreamNamePrefix) {
			all = append(all, st)
		}
	}
	sort.Slice(all, func(i, j int) bool {
		a, b := all[i], all[j]
		if in.Descending {
			a, b = b, a
		}
		if in.OrderBy == "LastEventTime" && a.meta.LastEvent != b.meta.LastEvent {
			return a.meta.LastEvent < b.meta.LastEvent
		}
		return a.meta.Name < b.meta.Name
	})
	start := 0
	if in.NextToken != "" {
		if _, err := fmt.Sscanf(in.NextToken, "s/%d", &start); err != nil || start < 0 || start > len(all) {
			return describeStreamsOut{}, invalid("The specified nextToken is invalid.")
		}
	}
	end := min(start+limit, len(all))
	out := describeStreamsOut{LogStreams: []logStreamOut{}}
	if end < len(all) {
		out.NextToken = fmt.Sprintf("s/%d", end)
	}
	for _, st := range all[start:end] {
		m := st.meta
		out.LogStreams = append(out.LogStreams, logStreamOut{
			Arn:                 groupARN(region, s.AccountID, g.meta.Name) + ":log-stream:" + m.Name,
			LogStreamName:       m.Name,
			CreationTime:        m.Created,
			FirstEventTimestamp: m.FirstEvent,
			LastEventTimestamp:  m.LastEvent,
			LastIngestionTime:   m.LastIngestion,
			UploadSequenceToken: sequenceToken(m.Seq),
		})
	}
	return out, nil
}

// sequenceToken renders a stream's position the way AWS's 56-digit
// sequence tokens look; PutLogEvents no longer requires them.
func sequenceToken(seq uint64) string { return fmt.Sprintf("%056d", seq+1) }
