package awsdeploy

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"

	"github.com/sockerless/sockerless/functions/backends/lambda"
)

// LogTail is the last lines of every log group in the simulator: the
// control-plane functions', the workloads' and the tasks', which is
// where a failure in the cloud says why.
func (d *Deployment) LogTail(t testing.TB, lines int) string {
	t.Helper()
	// Called from cleanups, when the test's context is already done.
	ctx := context.Background()
	cw := cloudwatchlogs.NewFromConfig(d.Config)
	groups, err := cw.DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{})
	if err != nil {
		return "describe log groups: " + err.Error()
	}
	var b strings.Builder
	for _, g := range groups.LogGroups {
		out, err := cw.FilterLogEvents(ctx, &cloudwatchlogs.FilterLogEventsInput{LogGroupName: g.LogGroupName})
		if err != nil {
			fmt.Fprintf(&b, "== %s: %v\n", aws.ToString(g.LogGroupName), err)
			continue
		}
		fmt.Fprintf(&b, "== %s (%d events)\n", aws.ToString(g.LogGroupName), len(out.Events))
		// Lambda's START/END/REPORT lines say nothing about a failure.
		var events []types.FilteredLogEvent
		for _, e := range out.Events {
			if !lambda.PlatformLine(aws.ToString(e.Message)) {
				events = append(events, e)
			}
		}
		if len(events) > lines {
			events = events[len(events)-lines:]
		}
		for _, e := range events {
			fmt.Fprintf(&b, "%s: %s\n", aws.ToString(e.LogStreamName), strings.TrimRight(aws.ToString(e.Message), "\n"))
		}
	}
	return b.String()
}
