package call

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/moby/moby/api/types/common"
)

func TestErrorReplyIsDockersErrorJSON(t *testing.T) {
	rep := ErrorReply(http.StatusNotFound, `No such container: "x"`)
	if rep.Status != http.StatusNotFound || rep.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("status %d, Content-Type %q; want 404, application/json", rep.Status, rep.Header.Get("Content-Type"))
	}
	var e common.ErrorResponse
	if err := json.Unmarshal(rep.Body, &e); err != nil || e.Message != `No such container: "x"` {
		t.Fatalf("body %s does not decode to the message: %v", rep.Body, err)
	}
}

func TestErrorMessage(t *testing.T) {
	tests := []struct {
		name string
		body string
		want string
	}{
		{"Docker's error body", `{"message":"conflict"}`, "conflict"},
		{"JSON without a message is returned whole", `{"Id":"abc"}`, `{"Id":"abc"}`},
		{"plain text is returned whole", "gateway timeout", "gateway timeout"},
		{"empty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ErrorMessage([]byte(tt.body)); got != tt.want {
				t.Errorf("ErrorMessage(%q) = %q; want %q", tt.body, got, tt.want)
			}
		})
	}
}
