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
	line, messages := callLine(t, cw, h, call.OpVersion)
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

// testEMFRecord checks that the function's line for a call that reads
// the store is a CloudWatch embedded-metric-format record: its "_aws"
// member names the Sockerless namespace, dimension fields the line holds
// as strings, and metric fields it holds as numbers, store reads among
// them.
func testEMFRecord(t *testing.T, cw *cloudwatchlogs.Client, h call.Handler) {
	line, _ := callLine(t, cw, h, call.OpInfo)
	var meta struct {
		Timestamp         int64
		CloudWatchMetrics []struct {
			Namespace  string
			Dimensions [][]string
			Metrics    []struct{ Name, Unit string }
		}
	}
	raw, _ := json.Marshal(line["_aws"])
	if err := json.Unmarshal(raw, &meta); err != nil || len(meta.CloudWatchMetrics) != 1 {
		t.Fatalf("line %v: no EMF metadata (_aws) with one directive: %v", line, err)
	}
	if d := time.Since(time.UnixMilli(meta.Timestamp)); d < 0 || d > time.Minute {
		t.Errorf("EMF Timestamp %d is not the call's time in milliseconds", meta.Timestamp)
	}
	dir := meta.CloudWatchMetrics[0]
	if dir.Namespace != "Sockerless" || len(dir.Dimensions) == 0 || len(dir.Metrics) == 0 {
		t.Errorf("directive %+v: want namespace Sockerless with dimensions and metrics", dir)
	}
	for _, set := range dir.Dimensions {
		for _, f := range set {
			if v, ok := line[f].(string); !ok || v == "" {
				t.Errorf("dimension %s: line holds %v, want a string", f, line[f])
			}
		}
	}
	metrics := map[string]float64{}
	for _, m := range dir.Metrics {
		v, ok := line[m.Name].(float64)
		if !ok || m.Unit == "" {
			t.Errorf("metric %s (%s): line holds %v, want a number with a unit", m.Name, m.Unit, line[m.Name])
		}
		metrics[m.Name] = v
	}
	if line["op"] != call.OpInfo || line["backend"] != "lambda" || metrics["store_reads"] < 2 || metrics["duration_ms"] <= 0 || metrics["errors"] != 0 {
		t.Errorf("record %v: want op %s on lambda, 2 store reads or more (containers, images), a duration, no error", line, call.OpInfo)
	}
}

// callLine makes a call of op carrying a fresh request id and returns
// the function's line for it in /aws/lambda/sockerless, with every
// message of the group.
func callLine(t *testing.T, cw *cloudwatchlogs.Client, h call.Handler, op string) (map[string]any, []string) {
	t.Helper()
	req := "e2e-" + strconv.FormatInt(time.Now().UnixNano(), 16)
	expect(t, h, call.Call{Op: op, Version: "1.56", Header: http.Header{call.RequestIDHeader: {req}}}, http.StatusOK)
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
	return line, messages
}
