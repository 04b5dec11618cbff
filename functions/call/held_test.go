package call

import (
	"encoding/json"
	"net/http"
	"testing"
)

func TestHoldBody(t *testing.T) {
	tests := []struct {
		name     string
		call     Call
		wantHeld bool
	}{
		{"archive upload: the edge streams it to the agent",
			Call{Op: OpContainerArchive, Header: http.Header{MethodHeader: {http.MethodPut}}, Body: make([]byte, 1234)}, true},
		{"archive upload without headers",
			Call{Op: OpContainerArchive, Body: make([]byte, 1234)}, true},
		{"image load: the function consumes the body",
			Call{Op: OpImageLoad, Body: make([]byte, 1234)}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := tt.call.Header.Clone()
			got, ok := HoldBody(tt.call)
			if ok != tt.wantHeld {
				t.Fatalf("HoldBody ok = %v; want %v", ok, tt.wantHeld)
			}
			size, held := HeldBody(got)
			if !ok {
				if held || len(got.Body) != len(tt.call.Body) {
					t.Fatalf("a body that cannot be held changed: held=%v, %d bytes", held, len(got.Body))
				}
				return
			}
			if !held || size != 1234 || got.Body != nil {
				t.Fatalf("HeldBody = %d, %v with %d bytes left; want 1234, true and no body", size, held, len(got.Body))
			}
			if got.Header.Get(MethodHeader) != tt.call.Header.Get(MethodHeader) {
				t.Errorf("the other headers were lost: %v", got.Header)
			}
			if len(tt.call.Body) != 1234 || tt.call.Header.Get(BodyHeldHeader) != before.Get(BodyHeldHeader) {
				t.Errorf("HoldBody changed the edge's own call: %d bytes, header %v", len(tt.call.Body), tt.call.Header)
			}
		})
	}
}

func TestHeldBodyOfAnOrdinaryCall(t *testing.T) {
	if size, held := HeldBody(Call{Op: OpContainerArchive, Body: []byte("x")}); held || size != 0 {
		t.Fatalf("HeldBody = %d, %v; want 0, false", size, held)
	}
}

func TestPayload(t *testing.T) {
	const limit = 4096
	tests := []struct {
		name     string
		call     Call
		fits     bool
		wantHeld bool
	}{
		{"a small call goes whole", Call{Op: OpContainerArchive, Body: make([]byte, 100)}, true, false},
		{"an archive upload past the limit goes without its body", Call{Op: OpContainerArchive, Body: make([]byte, limit)}, true, true},
		{"an image load past the limit does not fit", Call{Op: OpImageLoad, Body: make([]byte, limit)}, false, false},
		{"a call past the limit without its body does not fit",
			Call{Op: OpContainerArchive, Header: http.Header{"X-Long": {string(make([]byte, limit))}}, Body: []byte("x")}, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			payload, fits, err := Payload(tt.call, limit)
			if err != nil || fits != tt.fits {
				t.Fatalf("Payload: fits %v, %v; want fits %v", fits, err, tt.fits)
			}
			if fits != (len(payload) <= limit) {
				t.Fatalf("fits %v for %d bytes of %d", fits, len(payload), limit)
			}
			var got Call
			if err := json.Unmarshal(payload, &got); err != nil {
				t.Fatal(err)
			}
			if _, held := HeldBody(got); held != tt.wantHeld {
				t.Fatalf("held %v; want %v", held, tt.wantHeld)
			}
		})
	}
}
