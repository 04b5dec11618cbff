package server

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cwl "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	cwltypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
)

func logEvents(base time.Time, msgs ...string) []cwltypes.InputLogEvent {
	out := make([]cwltypes.InputLogEvent, len(msgs))
	for i, m := range msgs {
		out[i] = cwltypes.InputLogEvent{Timestamp: aws.Int64(base.Add(time.Duration(i) * time.Second).UnixMilli()), Message: aws.String(m)}
	}
	return out
}

func messages(evs []cwltypes.OutputLogEvent) []string {
	out := []string{}
	for _, e := range evs {
		out = append(out, *e.Message)
	}
	return out
}

func filtered(evs []cwltypes.FilteredLogEvent) []string {
	out := []string{}
	for _, e := range evs {
		out = append(out, *e.LogStreamName+":"+*e.Message)
	}
	return out
}

func wantStrings(t *testing.T, got, want []string) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %q, want %q", got, want)
	}
}

func TestLogsScenario(t *testing.T) {
	srv := startServer(t, Config{})
	runOpsSteps(t, newOpsClients(t, srv.URL()), logsScenario("000000000000"))
}

// logsScenario is the CloudWatch Logs conformance scenario for account.
func logsScenario(account string) []opsStep {
	base := time.Now().Add(-time.Hour).Truncate(time.Second)
	g, st := aws.String("/aws/lambda/fn"), aws.String("2026/11/23/[$LATEST]abc")
	var backward string
	steps := []opsStep{
		{"create group", opsCall(func(ctx context.Context, c *opsClients) (*cwl.CreateLogGroupOutput, error) {
			return c.logs.CreateLogGroup(ctx, &cwl.CreateLogGroupInput{LogGroupName: g})
		}), ok[*cwl.CreateLogGroupOutput](nil)},
		{"create group twice", opsCall(func(ctx context.Context, c *opsClients) (*cwl.CreateLogGroupOutput, error) {
			return c.logs.CreateLogGroup(ctx, &cwl.CreateLogGroupInput{LogGroupName: g})
		}), fails[*cwltypes.ResourceAlreadyExistsException]()},
		{"bad group name", opsCall(func(ctx context.Context, c *opsClients) (*cwl.CreateLogGroupOutput, error) {
			return c.logs.CreateLogGroup(ctx, &cwl.CreateLogGroupInput{LogGroupName: aws.String("bad name!")})
		}), fails[*cwltypes.InvalidParameterException]()},
		{"stream in missing group", opsCall(func(ctx context.Context, c *opsClients) (*cwl.CreateLogStreamOutput, error) {
			return c.logs.CreateLogStream(ctx, &cwl.CreateLogStreamInput{LogGroupName: aws.String("nope"), LogStreamName: st})
		}), fails[*cwltypes.ResourceNotFoundException]()},
		{"create stream", opsCall(func(ctx context.Context, c *opsClients) (*cwl.CreateLogStreamOutput, error) {
			return c.logs.CreateLogStream(ctx, &cwl.CreateLogStreamInput{LogGroupName: g, LogStreamName: st})
		}), ok[*cwl.CreateLogStreamOutput](nil)},
		{"create stream twice", opsCall(func(ctx context.Context, c *opsClients) (*cwl.CreateLogStreamOutput, error) {
			return c.logs.CreateLogStream(ctx, &cwl.CreateLogStreamInput{LogGroupName: g, LogStreamName: st})
		}), fails[*cwltypes.ResourceAlreadyExistsException]()},
		{"put to missing stream", opsCall(func(ctx context.Context, c *opsClients) (*cwl.PutLogEventsOutput, error) {
			return c.logs.PutLogEvents(ctx, &cwl.PutLogEventsInput{LogGroupName: g, LogStreamName: aws.String("nope"), LogEvents: logEvents(base, "x")})
		}), fails[*cwltypes.ResourceNotFoundException]()},
		{"put out of order", opsCall(func(ctx context.Context, c *opsClients) (*cwl.PutLogEventsOutput, error) {
			evs := logEvents(base, "a", "b")
			evs[0], evs[1] = evs[1], evs[0]
			return c.logs.PutLogEvents(ctx, &cwl.PutLogEventsInput{LogGroupName: g, LogStreamName: st, LogEvents: evs})
		}), fails[*cwltypes.InvalidParameterException]()},
		{"put five", opsCall(func(ctx context.Context, c *opsClients) (*cwl.PutLogEventsOutput, error) {
			return c.logs.PutLogEvents(ctx, &cwl.PutLogEventsInput{LogGroupName: g, LogStreamName: st,
				LogEvents: logEvents(base, "START RequestId: 1", "ERROR disk full", "retrying write", "ERROR gave up: disk full", "END RequestId: 1")})
		}), ok(func(t *testing.T, out *cwl.PutLogEventsOutput) {
			if out.NextSequenceToken == nil || out.RejectedLogEventsInfo != nil {
				t.Fatalf("token %v, rejected %+v", out.NextSequenceToken, out.RejectedLogEventsInfo)
			}
		})},
		{"put too old", opsCall(func(ctx context.Context, c *opsClients) (*cwl.PutLogEventsOutput, error) {
			return c.logs.PutLogEvents(ctx, &cwl.PutLogEventsInput{LogGroupName: g, LogStreamName: st, LogEvents: logEvents(time.Now().Add(-20*24*time.Hour), "ancient")})
		}), ok(func(t *testing.T, out *cwl.PutLogEventsOutput) {
			if r := out.RejectedLogEventsInfo; r == nil || aws.ToInt32(r.TooOldLogEventEndIndex) != 1 || r.TooNewLogEventStartIndex != nil {
				t.Fatalf("rejected %+v", r)
			}
		})},
		{"put too new", opsCall(func(ctx context.Context, c *opsClients) (*cwl.PutLogEventsOutput, error) {
			return c.logs.PutLogEvents(ctx, &cwl.PutLogEventsInput{LogGroupName: g, LogStreamName: aws.String("scratch"), LogEvents: logEvents(time.Now().Add(5*time.Hour), "future")})
		}), fails[*cwltypes.ResourceNotFoundException]()},
		{"put too new after a good one", opsCall(func(ctx context.Context, c *opsClients) (*cwl.PutLogEventsOutput, error) {
			if _, err := c.logs.CreateLogStream(ctx, &cwl.CreateLogStreamInput{LogGroupName: g, LogStreamName: aws.String("scratch")}); err != nil {
				return nil, err
			}
			evs := append(logEvents(time.Now(), "now"), logEvents(time.Now().Add(5*time.Hour), "future")...)
			return c.logs.PutLogEvents(ctx, &cwl.PutLogEventsInput{LogGroupName: g, LogStreamName: aws.String("scratch"), LogEvents: evs})
		}), ok(func(t *testing.T, out *cwl.PutLogEventsOutput) {
			if r := out.RejectedLogEventsInfo; r == nil || aws.ToInt32(r.TooNewLogEventStartIndex) != 1 || r.TooOldLogEventEndIndex != nil {
				t.Fatalf("rejected %+v", r)
			}
		})},
		{"delete scratch stream", opsCall(func(ctx context.Context, c *opsClients) (*cwl.DeleteLogStreamOutput, error) {
			return c.logs.DeleteLogStream(ctx, &cwl.DeleteLogStreamInput{LogGroupName: g, LogStreamName: aws.String("scratch")})
		}), ok[*cwl.DeleteLogStreamOutput](nil)},
		{"get from head, follow tokens to the end", opsCall(func(ctx context.Context, c *opsClients) ([]string, error) {
			var all []string
			in := &cwl.GetLogEventsInput{LogGroupName: g, LogStreamName: st, StartFromHead: aws.Bool(true), Limit: aws.Int32(2)}
			for range 10 {
				out, err := c.logs.GetLogEvents(ctx, in)
				if err != nil {
					return nil, err
				}
				all = append(all, messages(out.Events)...)
				if in.NextToken != nil && *out.NextForwardToken == *in.NextToken {
					if len(out.Events) != 0 {
						return nil, fmt.Errorf("same token with %d events", len(out.Events))
					}
					return all, nil
				}
				in.NextToken = out.NextForwardToken
			}
			return nil, fmt.Errorf("tokens never settled: %q", all)
		}), ok(func(t *testing.T, got []string) {
			wantStrings(t, got, []string{"START RequestId: 1", "ERROR disk full", "retrying write", "ERROR gave up: disk full", "END RequestId: 1"})
		})},
		{"get from tail", opsCall(func(ctx context.Context, c *opsClients) (*cwl.GetLogEventsOutput, error) {
			return c.logs.GetLogEvents(ctx, &cwl.GetLogEventsInput{LogGroupName: g, LogStreamName: st, Limit: aws.Int32(2)})
		}), ok(func(t *testing.T, out *cwl.GetLogEventsOutput) {
			wantStrings(t, messages(out.Events), []string{"ERROR gave up: disk full", "END RequestId: 1"})
			backward = *out.NextBackwardToken
		})},
		{"page backward", opsCall(func(ctx context.Context, c *opsClients) (*cwl.GetLogEventsOutput, error) {
			return c.logs.GetLogEvents(ctx, &cwl.GetLogEventsInput{LogGroupName: g, LogStreamName: st, Limit: aws.Int32(2), NextToken: &backward})
		}), ok(func(t *testing.T, out *cwl.GetLogEventsOutput) {
			wantStrings(t, messages(out.Events), []string{"ERROR disk full", "retrying write"})
		})},
		{"time window", opsCall(func(ctx context.Context, c *opsClients) (*cwl.GetLogEventsOutput, error) {
			return c.logs.GetLogEvents(ctx, &cwl.GetLogEventsInput{LogGroupName: g, LogStreamName: st, StartFromHead: aws.Bool(true),
				StartTime: aws.Int64(base.Add(time.Second).UnixMilli()), EndTime: aws.Int64(base.Add(3 * time.Second).UnixMilli())})
		}), ok(func(t *testing.T, out *cwl.GetLogEventsOutput) {
			wantStrings(t, messages(out.Events), []string{"ERROR disk full", "retrying write"})
		})},
		{"bad token", opsCall(func(ctx context.Context, c *opsClients) (*cwl.GetLogEventsOutput, error) {
			return c.logs.GetLogEvents(ctx, &cwl.GetLogEventsInput{LogGroupName: g, LogStreamName: st, NextToken: aws.String("f/zz")})
		}), fails[*cwltypes.InvalidParameterException]()},
		{"second stream", opsCall(func(ctx context.Context, c *opsClients) (*cwl.PutLogEventsOutput, error) {
			if _, err := c.logs.CreateLogStream(ctx, &cwl.CreateLogStreamInput{LogGroupName: g, LogStreamName: aws.String("other")}); err != nil {
				return nil, err
			}
			return c.logs.PutLogEvents(ctx, &cwl.PutLogEventsInput{LogGroupName: g, LogStreamName: aws.String("other"),
				LogEvents: logEvents(base.Add(1500*time.Millisecond), "ERROR other disk", "WARN slow")})
		}), ok[*cwl.PutLogEventsOutput](nil)},
	}
	for _, f := range []struct{ pattern, want string }{
		{"", "START RequestId: 1|ERROR disk full|ERROR other disk|retrying write|WARN slow|ERROR gave up: disk full|END RequestId: 1"},
		{"ERROR", "ERROR disk full|ERROR other disk|ERROR gave up: disk full"},
		{"ERROR disk", "ERROR disk full|ERROR other disk|ERROR gave up: disk full"},
		{`"disk full"`, "ERROR disk full|ERROR gave up: disk full"},
		{`ERROR -"gave up"`, "ERROR disk full|ERROR other disk"},
		{"?WARN ?retrying", "retrying write|WARN slow"},
		{"nothing-matches", ""},
	} {
		steps = append(steps, opsStep{"filter " + f.pattern, opsCall(func(ctx context.Context, c *opsClients) ([]string, error) {
			out, err := c.logs.FilterLogEvents(ctx, &cwl.FilterLogEventsInput{LogGroupName: g, FilterPattern: aws.String(f.pattern)})
			if err != nil {
				return nil, err
			}
			var got []string
			for _, e := range out.Events {
				got = append(got, *e.Message)
			}
			return got, nil
		}), ok(func(t *testing.T, got []string) {
			if strings.Join(got, "|") != f.want {
				t.Fatalf("got %q, want %q", strings.Join(got, "|"), f.want)
			}
		})})
	}
	steps = append(steps, []opsStep{
		{"filter pages in stream and time order", opsCall(func(ctx context.Context, c *opsClients) ([]string, error) {
			var all []string
			in := &cwl.FilterLogEventsInput{LogGroupName: g, FilterPattern: aws.String("ERROR"), Limit: aws.Int32(1)}
			for range 10 {
				out, err := c.logs.FilterLogEvents(ctx, in)
				if err != nil {
					return nil, err
				}
				all = append(all, filtered(out.Events)...)
				if out.NextToken == nil {
					return all, nil
				}
				in.NextToken = out.NextToken
			}
			return nil, fmt.Errorf("no end: %q", all)
		}), ok(func(t *testing.T, got []string) {
			wantStrings(t, got, []string{*st + ":ERROR disk full", "other:ERROR other disk", *st + ":ERROR gave up: disk full"})
		})},
		{"filter one stream", opsCall(func(ctx context.Context, c *opsClients) (*cwl.FilterLogEventsOutput, error) {
			return c.logs.FilterLogEvents(ctx, &cwl.FilterLogEventsInput{LogGroupName: g, LogStreamNames: []string{"other"}})
		}), ok(func(t *testing.T, out *cwl.FilterLogEventsOutput) {
			wantStrings(t, filtered(out.Events), []string{"other:ERROR other disk", "other:WARN slow"})
		})},
		{"filter JSON pattern is refused", opsCall(func(ctx context.Context, c *opsClients) (*cwl.FilterLogEventsOutput, error) {
			return c.logs.FilterLogEvents(ctx, &cwl.FilterLogEventsInput{LogGroupName: g, FilterPattern: aws.String(`{ $.level = "error" }`)})
		}), fails[*cwltypes.InvalidParameterException]()},
		{"retention", opsCall(func(ctx context.Context, c *opsClients) (*cwl.PutRetentionPolicyOutput, error) {
			return c.logs.PutRetentionPolicy(ctx, &cwl.PutRetentionPolicyInput{LogGroupName: g, RetentionInDays: aws.Int32(7)})
		}), ok[*cwl.PutRetentionPolicyOutput](nil)},
		{"bad retention", opsCall(func(ctx context.Context, c *opsClients) (*cwl.PutRetentionPolicyOutput, error) {
			return c.logs.PutRetentionPolicy(ctx, &cwl.PutRetentionPolicyInput{LogGroupName: g, RetentionInDays: aws.Int32(8)})
		}), fails[*cwltypes.InvalidParameterException]()},
		{"describe groups", opsCall(func(ctx context.Context, c *opsClients) (*cwl.DescribeLogGroupsOutput, error) {
			if _, err := c.logs.CreateLogGroup(ctx, &cwl.CreateLogGroupInput{LogGroupName: aws.String("/ecs/app")}); err != nil {
				return nil, err
			}
			return c.logs.DescribeLogGroups(ctx, &cwl.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String("/aws/")})
		}), ok(func(t *testing.T, out *cwl.DescribeLogGroupsOutput) {
			if len(out.LogGroups) != 1 {
				t.Fatalf("groups %+v", out.LogGroups)
			}
			lg := out.LogGroups[0]
			if *lg.Arn != "arn:aws:logs:us-east-1:"+account+":log-group:/aws/lambda/fn:*" || aws.ToInt32(lg.RetentionInDays) != 7 || *lg.LogGroupArn != strings.TrimSuffix(*lg.Arn, ":*") {
				t.Fatalf("group %+v", lg)
			}
		})},
		{"describe groups pages", opsCall(func(ctx context.Context, c *opsClients) ([]string, error) {
			var names []string
			p := cwl.NewDescribeLogGroupsPaginator(c.logs, &cwl.DescribeLogGroupsInput{Limit: aws.Int32(1)})
			for p.HasMorePages() {
				out, err := p.NextPage(ctx)
				if err != nil {
					return nil, err
				}
				for _, g := range out.LogGroups {
					names = append(names, *g.LogGroupName)
				}
			}
			return names, nil
		}), ok(func(t *testing.T, got []string) { wantStrings(t, got, []string{"/aws/lambda/fn", "/ecs/app"}) })},
		{"describe streams by last event", opsCall(func(ctx context.Context, c *opsClients) (*cwl.DescribeLogStreamsOutput, error) {
			return c.logs.DescribeLogStreams(ctx, &cwl.DescribeLogStreamsInput{LogGroupName: g, OrderBy: cwltypes.OrderByLastEventTime, Descending: aws.Bool(true)})
		}), ok(func(t *testing.T, out *cwl.DescribeLogStreamsOutput) {
			if len(out.LogStreams) != 2 || *out.LogStreams[0].LogStreamName != *st {
				t.Fatalf("streams %+v", out.LogStreams)
			}
			s0 := out.LogStreams[0]
			if aws.ToInt64(s0.FirstEventTimestamp) != base.UnixMilli() || aws.ToInt64(s0.LastEventTimestamp) != base.Add(4*time.Second).UnixMilli() ||
				*s0.Arn != "arn:aws:logs:us-east-1:"+account+":log-group:/aws/lambda/fn:log-stream:"+*st {
				t.Fatalf("stream %+v", s0)
			}
		})},
		{"order by last event with prefix", opsCall(func(ctx context.Context, c *opsClients) (*cwl.DescribeLogStreamsOutput, error) {
			return c.logs.DescribeLogStreams(ctx, &cwl.DescribeLogStreamsInput{LogGroupName: g, OrderBy: cwltypes.OrderByLastEventTime, LogStreamNamePrefix: aws.String("o")})
		}), fails[*cwltypes.InvalidParameterException]()},
		{"delete group", opsCall(func(ctx context.Context, c *opsClients) (*cwl.DeleteLogGroupOutput, error) {
			return c.logs.DeleteLogGroup(ctx, &cwl.DeleteLogGroupInput{LogGroupName: g})
		}), ok[*cwl.DeleteLogGroupOutput](nil)},
		{"streams of deleted group", opsCall(func(ctx context.Context, c *opsClients) (*cwl.DescribeLogStreamsOutput, error) {
			return c.logs.DescribeLogStreams(ctx, &cwl.DescribeLogStreamsInput{LogGroupName: g})
		}), fails[*cwltypes.ResourceNotFoundException]()},
		{"delete missing group", opsCall(func(ctx context.Context, c *opsClients) (*cwl.DeleteLogGroupOutput, error) {
			return c.logs.DeleteLogGroup(ctx, &cwl.DeleteLogGroupInput{LogGroupName: g})
		}), fails[*cwltypes.ResourceNotFoundException]()},
	}...)
	return steps
}
