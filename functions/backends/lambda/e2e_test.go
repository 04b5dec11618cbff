package lambda_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	awslambda "github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/moby/moby/api/types/network"
	"github.com/moby/moby/api/types/system"
	"github.com/moby/moby/api/types/volume"

	"github.com/sockerless/sockerless/functions/backends/lambda"
	"github.com/sockerless/sockerless/functions/backends/remotecompute"
	"github.com/sockerless/sockerless/functions/call"
	"github.com/sockerless/sockerless/functions/host"
	"github.com/sockerless/sockerless/functions/platform/aws/awshost"
	"github.com/sockerless/sockerless/functions/platform/aws/lambdainvoke"
	"github.com/sockerless/sockerless/functions/state/dynamo"
	"github.com/sockerless/sockerless/functions/testing/awssimtest"
)

const (
	table  = "sockerless-state"
	secret = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
	role   = "arn:aws:iam::000000000000:role/sockerless"
)

// TestOverLambdaInvoke deploys the bootstrap to the workspace's AWS
// simulator, as a real Lambda function over a DynamoDB table, and drives
// it with call.Calls through lambdainvoke.
func TestOverLambdaInvoke(t *testing.T) {
	dir := t.TempDir()
	bootstrap := awssimtest.Build(t, dir, "bootstrap", "./functions/backends/lambda/cmd/bootstrap",
		[]string{"GOOS=linux", "CGO_ENABLED=0"}, "-tags", "lambda.norpc", "-ldflags", "-s -w")
	awsCfg := awssimtest.Config(t, awssimtest.Simulator(t, dir))
	awsCfg.RetryMaxAttempts = 1 // an invocation is not retried behind the test's back
	ctx := t.Context()
	if err := dynamo.CreateTable(ctx, dynamodb.NewFromConfig(awsCfg), table); err != nil {
		t.Fatal(err)
	}
	lc := awslambda.NewFromConfig(awsCfg)
	code := codeZip(t, bootstrap)
	env := map[string]string{awshost.EnvTable: table, host.EnvSecret: secret,
		lambda.EnvRole: role, lambda.EnvRepository: "127.0.0.1:1/workloads", host.EnvAgentImage: "127.0.0.1:1/agent:latest",
		awshost.EnvLogGroup: "/sockerless/workloads"}
	deploy(t, lc, "sockerless", code, env)
	h := lambdainvoke.New(lc, "sockerless")

	t.Run("log line", func(t *testing.T) { testLogLine(t, cloudwatchlogs.NewFromConfig(awsCfg), h) })
	t.Run("EMF record", func(t *testing.T) { testEMFRecord(t, cloudwatchlogs.NewFromConfig(awsCfg), h) })
	t.Run("version", func(t *testing.T) {
		var v system.VersionResponse
		decode(t, expect(t, h, call.Call{Op: call.OpVersion, Version: "1.56"}, http.StatusOK), &v)
		if v.APIVersion != "1.56" {
			t.Errorf("ApiVersion %q, want 1.56", v.APIVersion)
		}
		if !strings.Contains(string(mustJSON(t, v)), "lambda") {
			t.Errorf("version does not name the lambda backend: %+v", v)
		}
	})
	t.Run("info", func(t *testing.T) {
		var info system.Info
		decode(t, expect(t, h, call.Call{Op: call.OpInfo, Version: "1.56"}, http.StatusOK), &info)
		if info.OSType != "linux" || !strings.Contains(string(mustJSON(t, info)), "lambda") {
			t.Errorf("info: OSType %q, backend not named: %s", info.OSType, mustJSON(t, info))
		}
		about := map[string]string{}
		for _, kv := range info.DriverStatus {
			about[kv[0]] = kv[1]
		}
		want := map[string]string{"Backend": "lambda", "Function": "sockerless", "Region": awsCfg.Region, "Store": "DynamoDB table " + table}
		for k, v := range want {
			if about[k] != v {
				t.Errorf("info's DriverStatus %s = %q, want %q (all: %v)", k, about[k], v, info.DriverStatus)
			}
		}
	})
	t.Run("networks", func(t *testing.T) {
		var nets []network.Summary
		decode(t, expect(t, h, call.Call{Op: call.OpNetworkList, Version: "1.56"}, http.StatusOK), &nets)
		have := map[string]bool{}
		for _, n := range nets {
			have[n.Name] = true
		}
		for _, name := range []string{"bridge", "host", "none"} {
			if !have[name] {
				t.Errorf("network %s missing from %v", name, have)
			}
		}
	})
	t.Run("errors", func(t *testing.T) {
		cases := []struct {
			name   string
			in     call.Call
			status int
			msg    string
		}{
			{"create with a missing image", call.Call{Op: call.OpContainerCreate, Version: "1.56",
				Body: []byte(`{"Image":"nosuch:latest"}`)}, http.StatusNotFound, "No such image: nosuch:latest"},
			{"load has no image store to go to", call.Call{Op: call.OpImageLoad, Version: "1.56",
				Body: []byte("not a tar")}, http.StatusNotImplemented, "docker load is not supported by the lambda backend: images live in a registry"},
			{"an oversized call never leaves", call.Call{Op: call.OpImageLoad, Version: "1.56",
				Body: make([]byte, lambdainvoke.MaxPayload)}, http.StatusRequestEntityTooLarge, "only archive uploads to running containers (docker cp) travel around it"},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				rep := h.Handle(t.Context(), tc.in)
				if rep.Status != tc.status || !strings.Contains(message(t, rep), tc.msg) {
					t.Errorf("got %d %s, want %d with %q", rep.Status, rep.Body, tc.status, tc.msg)
				}
			})
		}
	})
	t.Run("volumes persist in DynamoDB", func(t *testing.T) {
		vc := call.Call{Op: call.OpVolumeCreate, Version: "1.56", Body: []byte(`{"Name":"data","Labels":{"k":"v"}}`)}
		var v volume.Volume
		decode(t, expect(t, h, vc, http.StatusCreated), &v)
		if v.Name != "data" || v.Labels["k"] != "v" || v.Mountpoint != remotecompute.VolumeRoot+"data" {
			t.Fatalf("created %+v", v)
		}
		// A second function shares nothing with the first but the table.
		deploy(t, lc, "sockerless-2", code, env)
		h2 := lambdainvoke.New(lc, "sockerless-2")
		inspect := call.Call{Op: call.OpVolumeInspect, Version: "1.56", Vars: map[string]string{"name": "data"}}
		var got volume.Volume
		decode(t, expect(t, h2, inspect, http.StatusOK), &got)
		if got.Name != "data" || got.Labels["k"] != "v" || got.CreatedAt != v.CreatedAt {
			t.Errorf("second function sees %+v, want %+v", got, v)
		}
		var list volume.ListResponse
		decode(t, expect(t, h2, call.Call{Op: call.OpVolumeList, Version: "1.56"}, http.StatusOK), &list)
		if len(list.Volumes) != 1 || list.Volumes[0].Name != "data" {
			t.Errorf("list: %+v", list.Volumes)
		}
		expect(t, h2, call.Call{Op: call.OpVolumeRemove, Version: "1.56", Vars: map[string]string{"name": "data"}}, http.StatusNoContent)
		expect(t, h, inspect, http.StatusNotFound)
	})
	t.Run("an unreachable function is a 502", func(t *testing.T) {
		deploy(t, lc, "misconfigured", code, map[string]string{host.EnvSecret: secret})
		cases := []struct{ function, msg string }{
			{"misconfigured", "lambda function misconfigured failed on system.version: Unhandled: Runtime.ExitError"},
			{"absent", "invoke lambda function absent for system.version"},
		}
		for _, tc := range cases {
			rep := lambdainvoke.New(lc, tc.function).Handle(t.Context(), call.Call{Op: call.OpVersion, Version: "1.56"})
			if msg := message(t, rep); rep.Status != http.StatusBadGateway || !strings.Contains(msg, tc.msg) {
				t.Errorf("%s: got %d %q, want 502 with %q", tc.function, rep.Status, msg, tc.msg)
			}
		}
	})

	// A warm call's round trip: Invoke, JSON both ways, one process.
	const n = 20
	start := time.Now()
	for range n {
		expect(t, h, call.Call{Op: call.OpPing, Version: "1.56"}, http.StatusOK)
	}
	t.Logf("warm ping through Invoke: %v per call", time.Since(start)/n)
}

// expect handles c with h and checks the status.
func expect(t *testing.T, h call.Handler, c call.Call, status int) call.Reply {
	t.Helper()
	rep := h.Handle(t.Context(), c)
	if rep.Status != status {
		t.Fatalf("%s: status %d (%s), want %d", c.Op, rep.Status, rep.Body, status)
	}
	return rep
}

func decode(t *testing.T, rep call.Reply, v any) {
	t.Helper()
	if err := json.Unmarshal(rep.Body, v); err != nil {
		t.Fatalf("decode %s: %v", rep.Body, err)
	}
}

func message(t *testing.T, rep call.Reply) string {
	t.Helper()
	var e struct{ Message string }
	if err := json.Unmarshal(rep.Body, &e); err != nil {
		t.Fatalf("error body %q: %v", rep.Body, err)
	}
	return e.Message
}

func mustJSON(t *testing.T, v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// codeZip is the deployment package: the bootstrap, executable.
func codeZip(t *testing.T, bootstrap string) []byte {
	b, err := os.ReadFile(bootstrap)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	hdr := &zip.FileHeader{Name: "bootstrap", Method: zip.Deflate}
	hdr.SetMode(0o755)
	w, err := zw.CreateHeader(hdr)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func deploy(t *testing.T, c *awslambda.Client, name string, code []byte, env map[string]string) {
	t.Helper()
	_, err := c.CreateFunction(context.Background(), &awslambda.CreateFunctionInput{
		FunctionName: aws.String(name),
		Runtime:      types.RuntimeProvidedal2023,
		Role:         aws.String(role),
		Handler:      aws.String("bootstrap"),
		Code:         &types.FunctionCode{ZipFile: code},
		Timeout:      aws.Int32(30),
		Environment:  &types.Environment{Variables: env},
	})
	if err != nil {
		t.Fatalf("create function %s: %v", name, err)
	}
}
