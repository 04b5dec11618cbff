// Command echofn is the aws-lambda-go function the Lambda tests deploy.
// One binary covers every behaviour a test needs, chosen by the event's Op;
// the code version it reports comes from version.txt in its zip, so a test
// can ship new behaviour by uploading a new zip.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
)

type event struct {
	Op    string `json:"op"` // echo, sleep, fail, touch, crash, lines
	Value string `json:"value"`
	Ms    int    `json:"ms"`
	Path  string `json:"path"`
	N     int    `json:"n"`
}

type reply struct {
	Value     string `json:"value"`
	PID       int    `json:"pid"`
	Version   string `json:"version"`
	RequestID string `json:"requestId"`
	Env       string `json:"env"`
	Region    string `json:"region"`
}

func handle(ctx context.Context, e event) (reply, error) {
	lc, _ := lambdacontext.FromContext(ctx)
	fmt.Printf("handling op=%s value=%s\n", e.Op, e.Value)
	switch e.Op {
	case "sleep":
		time.Sleep(time.Duration(e.Ms) * time.Millisecond)
	case "fail":
		return reply{}, errors.New("failed on purpose: " + e.Value)
	case "touch":
		if err := os.WriteFile(e.Path, []byte(e.Value), 0o600); err != nil {
			return reply{}, err
		}
	case "crash":
		os.Exit(3)
	case "lines":
		for n := 1; n <= e.N; n++ {
			fmt.Printf("line %d of %d\n", n, e.N)
		}
	}
	version, _ := os.ReadFile(filepath.Join(os.Getenv("LAMBDA_TASK_ROOT"), "version.txt"))
	return reply{
		Value:     e.Value,
		PID:       os.Getpid(),
		Version:   string(version),
		RequestID: lc.AwsRequestID,
		Env:       os.Getenv("GREETING"),
		Region:    os.Getenv("AWS_REGION"),
	}, nil
}

func main() { lambda.Start(handle) }
