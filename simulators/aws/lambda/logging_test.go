package lambda_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	awslambda "github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/sockerless/sockerless/simulators/aws/server"
)

// A function with a custom log group (LoggingConfig) writes there, in
// streams named after the function, as Lambda does for shared groups.
func TestLoggingConfigCustomGroup(t *testing.T) {
	t.Parallel()
	s, c := start(t, server.Config{})
	ctx := context.Background()
	create(t, c, "shared-a", 3, nil)
	out, err := c.UpdateFunctionConfiguration(ctx, &awslambda.UpdateFunctionConfigurationInput{
		FunctionName:  aws.String("shared-a"),
		LoggingConfig: &types.LoggingConfig{LogGroup: aws.String("/apps/shared"), LogFormat: types.LogFormatText},
	})
	if err != nil {
		t.Fatal(err)
	}
	if g := aws.ToString(out.LoggingConfig.LogGroup); g != "/apps/shared" {
		t.Fatalf("LoggingConfig.LogGroup = %q", g)
	}
	invoke(t, c, "shared-a", map[string]any{"op": "echo", "value": "to-shared"})

	lc := cloudwatchlogs.NewFromConfig(awsConfig(t, s.URL(), "test"))
	ev, err := lc.FilterLogEvents(ctx, &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String("/apps/shared"), FilterPattern: aws.String(`"value=to-shared"`)})
	if err != nil {
		t.Fatal(err)
	}
	if len(ev.Events) != 1 || !strings.Contains(aws.ToString(ev.Events[0].LogStreamName), "/shared-a[$LATEST]") {
		t.Errorf("events in the shared group: %+v", ev.Events)
	}

	for _, tc := range []struct {
		name string
		cfg  types.LoggingConfig
		msg  string
	}{
		{"bad group name", types.LoggingConfig{LogGroup: aws.String("no spaces allowed")}, "loggingConfig.logGroup"},
		{"levels need JSON", types.LoggingConfig{ApplicationLogLevel: types.ApplicationLogLevelInfo}, "JSON log format"},
	} {
		_, err := c.UpdateFunctionConfiguration(ctx, &awslambda.UpdateFunctionConfigurationInput{FunctionName: aws.String("shared-a"), LoggingConfig: &tc.cfg})
		var bad *types.InvalidParameterValueException
		if !errors.As(err, &bad) || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("%s: got %v, want InvalidParameterValueException with %q", tc.name, err, tc.msg)
		}
	}
}

// Every line a function writes during an invocation reaches its log
// stream, in order, between START and END, however fast it writes.
func TestInvokeLogsEveryLine(t *testing.T) {
	t.Parallel()
	s, c := start(t, server.Config{DataDir: t.TempDir()}) // a store on disk, as deployed
	ctx := context.Background()
	create(t, c, "chatty", 30, nil)
	const n = 5000
	invoke(t, c, "chatty", map[string]any{"op": "lines", "n": n})

	lc := cloudwatchlogs.NewFromConfig(awsConfig(t, s.URL(), "test"))
	var got []string
	pages := cloudwatchlogs.NewFilterLogEventsPaginator(lc, &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String("/aws/lambda/chatty")})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range page.Events {
			got = append(got, aws.ToString(e.Message))
		}
	}
	var want []string
	for i := 1; i <= n; i++ {
		want = append(want, fmt.Sprintf("line %d of %d", i, n))
	}
	var lines []string
	end := -1
	for i, m := range got {
		if strings.HasPrefix(m, "line ") {
			if end >= 0 {
				t.Fatalf("%q logged after END", m)
			}
			lines = append(lines, m)
		}
		if strings.HasPrefix(m, "END RequestId: ") {
			end = i
		}
	}
	if end < 0 {
		t.Fatalf("no END line among %d events", len(got))
	}
	if len(lines) != n {
		t.Fatalf("%d of %d lines reached CloudWatch Logs", len(lines), n)
	}
	for i := range want {
		if lines[i] != want[i] {
			t.Fatalf("line %d is %q, want %q", i, lines[i], want[i])
		}
	}
}
