// Package cloudlogging reads a workload's output from Cloud Logging, for
// the GCP compute drivers: Docker's log entries from the entries the
// platform wrote for each line of the container's stdout and stderr
// (logs run.googleapis.com/stdout and /stderr on Cloud Run).
package cloudlogging

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	logging "cloud.google.com/go/logging/apiv2"
	"cloud.google.com/go/logging/apiv2/loggingpb"
	"google.golang.org/api/iterator"

	"github.com/sockerless/sockerless/functions/core"
	"github.com/sockerless/sockerless/functions/platform/logcursor"
)

// maxEntries bounds one Read, so that a reply stays small (Cloud Run's
// 32 MiB response limit, the edge's buffering); the caller continues
// from the cursor.
const maxEntries = 5000

// Source is the entries of Project's logs Logs (log IDs such as
// "run.googleapis.com/stdout") that Filter selects (a Logging query on
// the resource, as `resource.labels.job_name="x"`), written since Since.
type Source struct {
	Client  *logging.Client
	Project string
	Logs    []string
	Filter  string
	// Since bounds the search from below: without a timestamp in the
	// filter, Logging searches only the last 24 hours.
	Since time.Time
	// Stderr reports whether an entry of log ID is the container's
	// stderr; nil reads everything as stdout.
	Stderr func(logID string) bool
}

// Read returns the entries after cursor ("" from the start) in time
// order, and the cursor to continue from: a logcursor.Cursor of their
// nanosecond timestamps and insert ids. Each entry is one line of
// output.
func (s Source) Read(ctx context.Context, cursor string) ([]core.LogEntry, string, error) {
	cur := logcursor.Parse(cursor)
	since := s.Since
	if cur.Since > 0 {
		since = time.Unix(0, cur.Since)
	}
	var names []string
	for _, id := range s.Logs {
		names = append(names, fmt.Sprintf("logName=%q", s.logName(id)))
	}
	filter := fmt.Sprintf(`(%s) AND timestamp>=%q`, strings.Join(names, " OR "), since.UTC().Format(time.RFC3339Nano))
	if s.Filter != "" {
		filter += " AND " + s.Filter
	}
	it := s.Client.ListLogEntries(ctx, &loggingpb.ListLogEntriesRequest{
		ResourceNames: []string{"projects/" + s.Project}, Filter: filter, OrderBy: "timestamp asc", PageSize: 1000,
	})
	var entries []core.LogEntry
	for len(entries) < maxEntries {
		e, err := it.Next()
		if errors.Is(err, iterator.Done) {
			break
		}
		if err != nil {
			return nil, cursor, fmt.Errorf("Cloud Logging ListLogEntries: %w", err)
		}
		ts := e.GetTimestamp().AsTime()
		if !cur.Next(ts.UnixNano(), e.InsertId) {
			continue
		}
		stream := 1
		if s.Stderr != nil && s.Stderr(s.logID(e.LogName)) {
			stream = 2
		}
		msg := e.GetTextPayload()
		if !strings.HasSuffix(msg, "\n") {
			msg += "\n"
		}
		entries = append(entries, core.LogEntry{Stream: stream, Time: ts, Data: []byte(msg)})
	}
	return entries, cur.String(), nil
}

// logName is the full name of log ID, its slashes escaped as Logging
// names it.
func (s Source) logName(id string) string {
	return "projects/" + s.Project + "/logs/" + strings.ReplaceAll(id, "/", "%2F")
}

// logID is the ID of a full log name.
func (s Source) logID(name string) string {
	_, id, _ := strings.Cut(name, "/logs/")
	return strings.ReplaceAll(id, "%2F", "/")
}
