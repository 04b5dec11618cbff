// Package logging simulates Cloud Logging's gRPC API,
// google.logging.v2.LoggingServiceV2, as the Go SDK
// (cloud.google.com/go/logging and its logadmin) speaks it: entries are
// written (WriteLogEntries), read back with the filters readers use
// (ListLogEntries: logName, resource.type and resource.labels, labels,
// severity, timestamp, textPayload, ...), listed by log (ListLogs) and
// deleted by log (DeleteLog). Cloud Run's tasks write their output here.
package logging

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"

	"cloud.google.com/go/logging/apiv2/loggingpb"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/sockerless/sockerless/simulators/kit/service"
)

// Service is the Logging API.
type Service struct {
	loggingpb.UnimplementedLoggingServiceV2Server
	st  *service.State[*state]
	seq atomic.Int64
}

// New loads the stored entries from b.DB (nil: memory only).
func New(b service.Base) (*Service, error) {
	st, err := service.Open(b, "", openState)
	if err != nil {
		return nil, fmt.Errorf("logging: %w", err)
	}
	return &Service{st: st}, nil
}

// Register serves the API on g.
func (s *Service) Register(g *grpc.Server) { loggingpb.RegisterLoggingServiceV2Server(g, s) }

func errorf(c codes.Code, format string, a ...any) error { return status.Errorf(c, format, a...) }

// Write stores complete entries, as a platform writing its workloads'
// output does (Cloud Run's tasks).
func (s *Service) Write(entries []*loggingpb.LogEntry) error {
	_, err := s.WriteLogEntries(context.Background(), &loggingpb.WriteLogEntriesRequest{Entries: entries})
	return err
}

func (s *Service) WriteLogEntries(_ context.Context, req *loggingpb.WriteLogEntriesRequest) (*loggingpb.WriteLogEntriesResponse, error) {
	if len(req.Entries) == 0 {
		return nil, errorf(codes.InvalidArgument, "entries: at least one log entry is required")
	}
	now := s.st.Now()
	out := make([]*loggingpb.LogEntry, len(req.Entries))
	for i, in := range req.Entries {
		e := proto.Clone(in).(*loggingpb.LogEntry)
		if e.LogName == "" {
			e.LogName = req.LogName
		}
		name, err := normalLogName(e.LogName)
		if err != nil {
			return nil, errorf(codes.InvalidArgument, "entries[%d].log_name: %v", i, err)
		}
		e.LogName = name
		if e.Resource == nil {
			e.Resource = req.Resource
		}
		if e.Resource.GetType() == "" {
			return nil, errorf(codes.InvalidArgument, "entries[%d].resource: a monitored resource with a type is required", i)
		}
		if len(req.Labels) > 0 {
			labels := map[string]string{}
			for k, v := range req.Labels {
				labels[k] = v
			}
			for k, v := range e.Labels {
				labels[k] = v
			}
			e.Labels = labels
		}
		if e.Timestamp == nil {
			e.Timestamp = timestamppb.New(now)
		}
		e.ReceiveTimestamp = timestamppb.New(now)
		if e.InsertId == "" {
			e.InsertId = fmt.Sprintf("%x%06x", now.UnixNano(), s.seq.Add(1)&0xffffff)
		}
		out[i] = e
	}
	if req.DryRun {
		return &loggingpb.WriteLogEntriesResponse{}, nil
	}
	s.st.Mu.Lock()
	defer s.st.Mu.Unlock()
	return &loggingpb.WriteLogEntriesResponse{}, s.st.St.add(out)
}

// normalLogName checks projects/P/logs/ID and escapes the slashes of ID
// as Logging stores it ("run.googleapis.com%2Fstdout").
func normalLogName(name string) (string, error) {
	parent, id, ok := strings.Cut(name, "/logs/")
	if !ok || !resourceNameOK(parent) || id == "" {
		return "", fmt.Errorf("%q is not a log name: expected projects/[PROJECT_ID]/logs/[LOG_ID]", name)
	}
	return parent + "/logs/" + strings.ReplaceAll(id, "/", "%2F"), nil
}

// resourceNameOK accepts the parents logs live under.
func resourceNameOK(r string) bool {
	kind, id, ok := strings.Cut(r, "/")
	return ok && id != "" && !strings.Contains(id, "/") &&
		slices.Contains([]string{"projects", "organizations", "folders", "billingAccounts"}, kind)
}

func (s *Service) ListLogEntries(_ context.Context, req *loggingpb.ListLogEntriesRequest) (*loggingpb.ListLogEntriesResponse, error) {
	if len(req.ResourceNames) == 0 {
		return nil, errorf(codes.InvalidArgument, "resource_names: at least one resource name (projects/[PROJECT_ID]) is required")
	}
	for _, r := range req.ResourceNames {
		if !resourceNameOK(r) {
			return nil, errorf(codes.InvalidArgument, "resource_names: %q is not a resource name such as projects/[PROJECT_ID]", r)
		}
	}
	f, err := parseFilter(req.Filter)
	if err != nil {
		return nil, errorf(codes.InvalidArgument, "Unparseable filter: %v", err)
	}
	desc := false
	switch strings.Join(strings.Fields(req.OrderBy), " ") {
	case "", "timestamp", "timestamp asc":
	case "timestamp desc":
		desc = true
	default:
		return nil, errorf(codes.InvalidArgument, "order_by: only \"timestamp asc\" and \"timestamp desc\" are supported, not %q", req.OrderBy)
	}
	size := int(req.PageSize)
	if size <= 0 || size > 1000 {
		size = 1000
	}
	from := 0
	if req.PageToken != "" {
		if from, err = strconv.Atoi(req.PageToken); err != nil || from < 0 {
			return nil, errorf(codes.InvalidArgument, "Invalid page_token %q", req.PageToken)
		}
	}
	s.st.Mu.Lock()
	defer s.st.Mu.Unlock()
	var match []*loggingpb.LogEntry
	for _, e := range s.st.St.entries {
		if underAny(e.LogName, req.ResourceNames) && f(e) {
			match = append(match, e)
		}
	}
	if desc {
		slices.Reverse(match)
	}
	out := &loggingpb.ListLogEntriesResponse{}
	for i := from; i < len(match) && i < from+size; i++ {
		out.Entries = append(out.Entries, proto.Clone(match[i]).(*loggingpb.LogEntry))
	}
	if from+size < len(match) {
		out.NextPageToken = strconv.Itoa(from + size)
	}
	return out, nil
}

func underAny(logName string, resources []string) bool {
	for _, r := range resources {
		if strings.HasPrefix(logName, r+"/logs/") {
			return true
		}
	}
	return false
}

func (s *Service) ListLogs(_ context.Context, req *loggingpb.ListLogsRequest) (*loggingpb.ListLogsResponse, error) {
	parents := req.ResourceNames
	if req.Parent != "" {
		parents = append(parents, req.Parent)
	}
	if len(parents) == 0 {
		return nil, errorf(codes.InvalidArgument, "parent: a resource name such as projects/[PROJECT_ID] is required")
	}
	s.st.Mu.Lock()
	defer s.st.Mu.Unlock()
	seen := map[string]bool{}
	out := &loggingpb.ListLogsResponse{}
	for _, e := range s.st.St.entries {
		if underAny(e.LogName, parents) && !seen[e.LogName] {
			seen[e.LogName] = true
			out.LogNames = append(out.LogNames, e.LogName)
		}
	}
	slices.Sort(out.LogNames)
	return out, nil
}

func (s *Service) DeleteLog(_ context.Context, req *loggingpb.DeleteLogRequest) (*emptypb.Empty, error) {
	name, err := normalLogName(req.LogName)
	if err != nil {
		return nil, errorf(codes.InvalidArgument, "log_name: %v", err)
	}
	s.st.Mu.Lock()
	defer s.st.Mu.Unlock()
	n, err := s.st.St.deleteLog(name)
	if err != nil {
		return nil, err
	}
	if n == 0 {
		return nil, errorf(codes.NotFound, "Log %s not found", name)
	}
	return &emptypb.Empty{}, nil
}

// keyOf orders entries by timestamp, then by arrival.
func keyOf(e *loggingpb.LogEntry, seq int64) string {
	return fmt.Sprintf("%020d-%012d", e.Timestamp.AsTime().UnixNano(), seq)
}
