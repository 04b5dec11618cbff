// Package cwlogs reads and deletes a workload's output in CloudWatch
// Logs, for the AWS compute drivers: Docker's log entries from the
// events the platform's log driver wrote.
package cwlogs

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"

	"github.com/sockerless/sockerless/functions/core"
	"github.com/sockerless/sockerless/functions/platform/logcursor"
)

// maxPages bounds one Read (FilterLogEvents pages are up to 1 MB) so a
// reply stays under Lambda's 6 MB response limit; the caller continues
// from the cursor.
const maxPages = 3

// Source is a set of log streams: those of Group whose names start with
// StreamPrefix.
type Source struct {
	Client       *cloudwatchlogs.Client
	Group        string
	StreamPrefix string
	// Skip drops events that are the platform's, not the workload's
	// (Lambda's START/END/REPORT lines); nil keeps all.
	Skip func(message string) bool
}

// Read returns the events after cursor ("" from the start) in time
// order, and the cursor to continue from. CloudWatch keeps lines, not
// streams: every entry reads as stdout.
//
// The cursor is a logcursor.Cursor of the events' millisecond
// timestamps and ids.
func (s Source) Read(ctx context.Context, cursor string) ([]core.LogEntry, string, error) {
	cur := logcursor.Parse(cursor)
	in := &cloudwatchlogs.FilterLogEventsInput{
		LogGroupName: aws.String(s.Group), LogStreamNamePrefix: aws.String(s.StreamPrefix),
	}
	if cur.Since > 0 {
		in.StartTime = aws.Int64(cur.Since)
	}
	var entries []core.LogEntry
	for page := 0; page < maxPages; page++ {
		out, err := s.Client.FilterLogEvents(ctx, in)
		if err != nil {
			var nf *types.ResourceNotFoundException
			if errors.As(err, &nf) {
				return nil, cursor, nil // nothing written yet
			}
			return nil, cursor, fmt.Errorf("CloudWatch Logs FilterLogEvents: %w", err)
		}
		for _, e := range out.Events {
			ts := aws.ToInt64(e.Timestamp)
			if !cur.Next(ts, aws.ToString(e.EventId)) {
				continue
			}
			msg := aws.ToString(e.Message)
			if s.Skip != nil && s.Skip(msg) {
				continue
			}
			if !strings.HasSuffix(msg, "\n") {
				msg += "\n"
			}
			entries = append(entries, core.LogEntry{Stream: 1, Time: time.UnixMilli(ts), Data: []byte(msg)})
		}
		if out.NextToken == nil {
			break
		}
		in.NextToken = out.NextToken
	}
	return entries, cur.String(), nil
}

// Delete deletes the source's streams; a missing group is already gone.
func (s Source) Delete(ctx context.Context) error {
	p := cloudwatchlogs.NewDescribeLogStreamsPaginator(s.Client, &cloudwatchlogs.DescribeLogStreamsInput{
		LogGroupName: aws.String(s.Group), LogStreamNamePrefix: aws.String(s.StreamPrefix),
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			var nf *types.ResourceNotFoundException
			if errors.As(err, &nf) {
				return nil
			}
			return fmt.Errorf("CloudWatch Logs DescribeLogStreams: %w", err)
		}
		for _, st := range page.LogStreams {
			if _, err := s.Client.DeleteLogStream(ctx, &cloudwatchlogs.DeleteLogStreamInput{
				LogGroupName: aws.String(s.Group), LogStreamName: st.LogStreamName,
			}); err != nil {
				return fmt.Errorf("CloudWatch Logs DeleteLogStream: %w", err)
			}
		}
	}
	return nil
}
