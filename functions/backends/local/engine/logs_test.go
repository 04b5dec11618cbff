package engine

import (
	"bytes"
	"encoding/binary"
	"testing"
	"time"
)

// frame is one frame of the engine's multiplexed log stream.
func frame(stream byte, payload string) []byte {
	h := make([]byte, 8)
	h[0] = stream
	binary.BigEndian.PutUint32(h[4:], uint32(len(payload)))
	return append(h, payload...)
}

func TestParseLogs(t *testing.T) {
	t1 := "2026-11-23T18:00:00.000000001Z"
	t2 := "2026-11-23T18:00:00.000000002Z"
	stream := bytes.Join([][]byte{frame(1, t1+" hi\n"), frame(2, t2+" err\n")}, nil)
	after, _ := time.Parse(time.RFC3339Nano, t1)
	tests := []struct {
		name    string
		in      []byte
		after   time.Time
		want    []string // stream:data
		wantErr bool
	}{
		{name: "all", in: stream, want: []string{"1:hi\n", "2:err\n"}},
		{name: "after cursor", in: stream, after: after, want: []string{"2:err\n"}},
		{name: "empty", in: nil},
		{name: "no timestamp", in: frame(1, "hi"), wantErr: true},
		{name: "truncated", in: stream[:len(stream)-2], want: []string{"1:hi\n"}, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseLogs(bytes.NewReader(tt.in), tt.after)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want error %v", err, tt.wantErr)
			}
			var s []string
			for _, e := range got {
				s = append(s, string(rune('0'+e.Stream))+":"+string(e.Data))
			}
			if len(s) != len(tt.want) {
				t.Fatalf("got %q, want %q", s, tt.want)
			}
			for i := range s {
				if s[i] != tt.want[i] {
					t.Fatalf("got %q, want %q", s, tt.want)
				}
			}
		})
	}
}

func TestParsePlatform(t *testing.T) {
	tests := []struct {
		in, os, arch, variant string
		wantErr               bool
	}{
		{in: "linux", os: "linux"},
		{in: "linux/arm64/v8", os: "linux", arch: "arm64", variant: "v8"},
		{in: "/amd64", wantErr: true},
		{in: "linux/arm/v7/x", wantErr: true},
	}
	for _, tt := range tests {
		p, err := parsePlatform(tt.in)
		if (err != nil) != tt.wantErr || p.OS != tt.os || p.Architecture != tt.arch || p.Variant != tt.variant {
			t.Errorf("parsePlatform(%q) = %+v, %v", tt.in, p, err)
		}
	}
}
