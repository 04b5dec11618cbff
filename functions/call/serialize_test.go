package call

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"reflect"
	"testing"
)

func TestSerializedKeepsEveryField(t *testing.T) {
	tests := []struct {
		name  string
		call  Call
		reply Reply
	}{
		{
			name: "binary body and query lists",
			call: Call{Op: OpImageLoad, Version: "1.50", Vars: map[string]string{"name": "a/b"},
				Query:  url.Values{"names": {"x", "y"}},
				Header: http.Header{"Content-Type": {"application/x-tar"}},
				Body:   []byte{0, 1, 2, 0xff}},
			reply: Reply{Status: 200, Header: http.Header{"X-A": {"1"}}, Body: []byte{0xfe, 0}},
		},
		{
			name: "stream reply with spec",
			call: Call{Op: OpExecStart, Vars: map[string]string{"id": "e1"}},
			reply: Reply{Status: 200, Stream: &Stream{Kind: StreamExec, Container: "c", Exec: "e1", TTY: true,
				Stdin: true, Stdout: true, Spec: json.RawMessage(`{"args":["sh"]}`), Running: true}},
		},
		{
			name:  "empty",
			call:  Call{Op: OpPing},
			reply: Reply{Status: 204},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got Call
			h := Serialized(HandlerFunc(func(ctx context.Context, c Call) Reply {
				got = c
				return tt.reply
			}))
			rep := h.Handle(context.Background(), tt.call)
			if !reflect.DeepEqual(got, tt.call) {
				t.Errorf("call changed in transit:\n got %#v\nwant %#v", got, tt.call)
			}
			if !reflect.DeepEqual(rep, tt.reply) {
				t.Errorf("reply changed in transit:\n got %#v\nwant %#v", rep, tt.reply)
			}
		})
	}
}
