package lambda_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/sockerless/sockerless/simulators/aws/lambda"
)

// The service used as a library, without the server: a warm instance is
// reused within IdleTimeout and replaced after it.
func TestIdleInstancesAreReaped(t *testing.T) {
	t.Parallel()
	svc, err := lambda.New(lambda.Options{IdleTimeout: 300 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer svc.Close()
	body, _ := json.Marshal(map[string]any{
		"FunctionName": "idle", "Runtime": "provided.al2023", "Role": role, "Handler": "bootstrap",
		"Code": map[string]string{"ZipFile": base64.StdEncoding.EncodeToString(codeZip(t, "v1"))},
	})
	rec := httptest.NewRecorder()
	svc.Handle(rec, httptest.NewRequest("POST", lambda.PathPrefix, nil), "eu-west-1", body)
	if rec.Code != 201 {
		t.Fatalf("CreateFunction: %d %s", rec.Code, rec.Body)
	}
	pid := func() int {
		res, err := svc.Invoke(context.Background(), "eu-west-1", "idle", []byte(`{"op":"echo"}`), "")
		if err != nil || res.FunctionError != "" {
			t.Fatalf("Invoke: %v %s", err, res.Payload)
		}
		var r reply
		json.Unmarshal(res.Payload, &r)
		return r.PID
	}
	first := pid()
	if again := pid(); again != first {
		t.Fatalf("immediate reuse: pid %d then %d", first, again)
	}
	time.Sleep(700 * time.Millisecond)
	if later := pid(); later == first {
		t.Errorf("instance idle for longer than IdleTimeout was reused (pid %d)", later)
	}
}
