package lambda_test

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"

	"github.com/sockerless/sockerless/functions/call"
)

// testLogLine checks, in the function's log group, the line the
// function logs for a call that carries an edge's request id: the op,
// the status, and the Lambda request id, which the platform's REPORT
// line for that invocation names.
func testLogLine(t *testing.T, cw *cloudwatchlogs.Client, h call.Handler) {
	req := "e2e-" + strconv.FormatInt(time.Now().UnixNano(), 16)
	expect(t, h, call.Call{Op: call.OpVersion, Version: "1.56", Header: http.Header{call.RequestIDHeader: {req}}}, http.StatusOK)
	var line map[string]any
	var messages []string
	deadline := time.Now().Add(10 * time.Second)
	for line == nil && time.Now().Before(deadline) {
		out, err := cw.FilterLogEvents(t.Context(), &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String("/aws/lambda/sockerless")})
		if err != nil {
			t.Fatal(err)
		}
		messages = messages[:0]
		for _, e := range out.Events {
			msg := aws.ToString(e.Message)
			messages = append(messages, msg)
			var l map[string]any
			if json.Unmarshal([]byte(msg), &l) == nil && l["req"] == req {
				line = l
			}
		}
		if line == nil {
			time.Sleep(100 * time.Millisecond)
		}
	}
	if line == nil {
		t.Fatalf("no line for request %s in /aws/lambda/sockerless:\n%s", req, strings.Join(messages, "\n"))
	}
	if line["msg"] != "function call" || line["op"] != call.OpVersion || line["status"] != float64(http.StatusOK) {
		t.Errorf("line %v: want the function's call line for %s, status 200", line, call.OpVersion)
	}
	id, _ := line["aws_request_id"].(string)
	report := false
	for _, m := range messages {
		report = report || id != "" && strings.HasPrefix(m, "REPORT RequestId: "+id+"\t")
	}
	if !report {
		t.Errorf("line %v: its aws_request_id names no REPORT line of the log group", line)
	}
}
