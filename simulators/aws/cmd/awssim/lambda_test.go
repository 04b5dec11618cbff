package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/sockerless/sockerless/agent/lambdart"
	"github.com/sockerless/sockerless/agent/proto"
	"github.com/sockerless/sockerless/sandbox"
)

// TestLambdaImageRunsTheAgent runs a container-image function shaped as
// the Lambda backend shapes one: the user's image with the real agent
// appended, whose entrypoint makes the agent the function's runtime.
// Each invocation runs one container's main process in the sandbox over
// the image and answers with its exit code once the hub has it.
func TestLambdaImageRunsTheAgent(t *testing.T) {
	s := startSim(t)
	url, exits := serveHub(t)
	fnImage := s.push(t, "user-with-agent", image(t, v1.Config{Entrypoint: []string{"/sockerless/agent", "lambda"}, WorkingDir: "/srv/app"},
		userLayer(t), layer(t, map[string]file{"sockerless/agent": {string(agentBinary(t)), 0o755}})))

	ctx := context.Background()
	c := lambda.NewFromConfig(s.cfg)
	if _, err := c.CreateFunction(ctx, &lambda.CreateFunctionInput{
		FunctionName: aws.String("c"), PackageType: types.PackageTypeImage, Timeout: aws.Int32(60),
		Role: aws.String("arn:aws:iam::000000000000:role/sockerless"), Code: &types.FunctionCode{ImageUri: aws.String(fnImage)},
	}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		id     string
		script string
		code   int
	}{
		{"c2", "echo from lambda; cat /etc/greeting; exit 4", 4},
		// The warm instance serves the next container too.
		// Lambda's scratch /tmp, and the image's working directory,
		// made as a container engine makes it.
		{"c3", "echo again > /tmp/again; cat /tmp/again; pwd", 0},
	} {
		payload, _ := json.Marshal(lambdart.Invocation{ContainerID: tc.id, EdgeURL: url, Token: "token-" + tc.id,
			Main: proto.ProcessSpec{Args: []string{"sh", "-c", tc.script}}})
		out, err := c.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("c"), Payload: payload})
		if err != nil {
			t.Fatal(err)
		}
		res, err := lambdart.ParseResponse(out.Payload, aws.ToString(out.FunctionError))
		if err != nil || res.ExitCode != tc.code {
			t.Fatalf("%s: result %+v %v (payload %s)", tc.id, res, err, out.Payload)
		}
		if e := nextExit(t, exits, 0); e != (exitReport{tc.id, tc.code}) {
			t.Fatalf("hub saw %+v, want %s exiting %d", e, tc.id, tc.code)
		}
	}

	// An invocation that outlives the function's timeout.
	if _, err := c.CreateFunction(ctx, &lambda.CreateFunctionInput{
		FunctionName: aws.String("slow"), PackageType: types.PackageTypeImage, Timeout: aws.Int32(1),
		Role: aws.String("arn:aws:iam::000000000000:role/sockerless"), Code: &types.FunctionCode{ImageUri: aws.String(fnImage)},
	}); err != nil {
		t.Fatal(err)
	}
	payload, _ := json.Marshal(lambdart.Invocation{ContainerID: "c4", EdgeURL: url, Token: "token-c4",
		Main: proto.ProcessSpec{Args: []string{"sh", "-c", "sleep 1000"}}})
	type answer struct {
		out *lambda.InvokeOutput
		err error
	}
	done := make(chan answer, 1)
	go func() {
		out, err := c.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("slow"), Payload: payload})
		done <- answer{out, err}
	}()
	sleeping := func() bool {
		for _, p := range sandbox.Processes() {
			if strings.Join(p.Args, " ") == "sleep 1000" {
				return true
			}
		}
		return false
	}
	waitFor(t, "the container's main process to start", sleeping)
	a := <-done
	if a.err != nil {
		t.Fatal(a.err)
	}
	// The agent ends main at the invocation's deadline and fails the
	// invocation, or the simulator kills the instance at the timeout:
	// either way the invocation fails and main does not outlive it.
	if a.out.FunctionError == nil {
		t.Fatalf("timed-out invocation succeeded: %s", a.out.Payload)
	}
	waitFor(t, "the timed-out container's processes to end", func() bool { return !sleeping() })

	// Deleting the functions stops their warm instances: the agents and
	// everything in their sandboxes end.
	agents := func() int {
		n := 0
		for _, p := range sandbox.Processes() {
			if len(p.Args) > 0 && p.Args[0] == "/sockerless/agent" {
				n++
			}
		}
		return n
	}
	if agents() == 0 {
		t.Fatal("no warm instance is running the agent")
	}
	for _, fn := range []string{"c", "slow"} {
		if _, err := c.DeleteFunction(ctx, &lambda.DeleteFunctionInput{FunctionName: aws.String(fn)}); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, "the instances to stop", func() bool { return agents() == 0 })

	ev, err := cloudwatchlogs.NewFromConfig(s.cfg).FilterLogEvents(ctx, &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String("/aws/lambda/c")})
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, e := range ev.Events {
		lines = append(lines, aws.ToString(e.Message))
	}
	all := strings.Join(lines, "\n")
	for _, want := range []string{"from lambda\nfrom the user's image\n", "again\n/srv/app\n"} {
		if !strings.Contains(all, want) {
			t.Errorf("the function's log lacks %q:\n%s", want, all)
		}
	}
}
