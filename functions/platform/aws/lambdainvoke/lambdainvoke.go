// Package lambdainvoke carries call.Calls to a control-plane function
// deployed on AWS Lambda, with a synchronous (RequestResponse) Invoke.
// The envelope is the call package's JSON, unchanged, so the function
// side is a plain aws-lambda-go handler over call.Call and call.Reply.
package lambdainvoke

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/sockerless/sockerless/functions/call"
)

// MaxPayload is Lambda's limit on a synchronous Invoke request payload
// (6 MB). A Call whose JSON is larger cannot travel inline.
const MaxPayload = 6 * 1024 * 1024

// Handler is a call.Handler that runs each Call in a Lambda function.
type Handler struct {
	client   *lambda.Client
	function string
}

// New returns a Handler invoking function (a name or ARN) with client.
func New(client *lambda.Client, function string) *Handler {
	return &Handler{client: client, function: function}
}

// Dial returns a Handler invoking function in region ("" for the AWS
// SDK's default, from AWS_REGION or the profile), with the SDK's usual
// credentials and AWS_ENDPOINT_URL (the simulator).
func Dial(ctx context.Context, function, region string) (*Handler, error) {
	var opts []func(*config.LoadOptions) error
	if region != "" {
		opts = append(opts, config.WithRegion(region))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("load AWS config: %w", err)
	}
	return New(lambda.NewFromConfig(cfg), function), nil
}

// Handle invokes the function with c and returns its Reply. Failures to
// reach or run the function become 502 Replies, since the edge is a
// gateway in front of the function.
func (h *Handler) Handle(ctx context.Context, c call.Call) call.Reply {
	payload, fits, err := call.Payload(c, MaxPayload)
	if err != nil {
		return call.ErrorReply(http.StatusInternalServerError, fmt.Sprintf("encode call %s for lambda function %s: %v", c.Op, h.function, err))
	}
	if !fits {
		// Only archive uploads have a path around the limit (the edge
		// holds their body and streams it to the agent; the function
		// only decides, docs/envelope.md): the other large bodies (image
		// load and import, build contexts) are consumed by the function,
		// and no AWS backend takes them.
		return call.ErrorReply(http.StatusRequestEntityTooLarge, fmt.Sprintf(
			"%s: request of %d bytes exceeds the %d-byte Lambda invoke payload limit of function %s; only archive uploads to running containers (docker cp) travel around it, streamed by the edge to the container's agent",
			c.Op, len(payload), MaxPayload, h.function))
	}
	out, err := h.client.Invoke(ctx, &lambda.InvokeInput{
		FunctionName:   aws.String(h.function),
		InvocationType: types.InvocationTypeRequestResponse,
		Payload:        payload,
	})
	if err != nil {
		return call.ErrorReply(http.StatusBadGateway, fmt.Sprintf("invoke lambda function %s for %s: %v", h.function, c.Op, err))
	}
	if out.FunctionError != nil {
		return call.ErrorReply(http.StatusBadGateway, fmt.Sprintf("lambda function %s failed on %s: %s: %s (its logs say why)",
			h.function, c.Op, aws.ToString(out.FunctionError), functionErrorMessage(out.Payload)))
	}
	var rep call.Reply
	if err := json.Unmarshal(out.Payload, &rep); err != nil {
		return call.ErrorReply(http.StatusBadGateway, fmt.Sprintf("lambda function %s answered %s with an invalid reply: %v", h.function, c.Op, err))
	}
	if rep.Status == 0 {
		return call.ErrorReply(http.StatusBadGateway, fmt.Sprintf("lambda function %s answered %s without a status", h.function, c.Op))
	}
	return rep
}

// functionErrorMessage extracts Lambda's {"errorMessage","errorType"}
// from a failed invocation's payload, or returns the payload as is.
func functionErrorMessage(payload []byte) string {
	var e struct {
		Message string `json:"errorMessage"`
		Type    string `json:"errorType"`
	}
	if json.Unmarshal(payload, &e) == nil && e.Message != "" {
		if e.Type != "" {
			return e.Type + ": " + e.Message
		}
		return e.Message
	}
	return string(payload)
}
