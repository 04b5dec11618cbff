package proto

import (
	"bytes"
	"errors"
	"testing"
)

func TestFrameRoundTrip(t *testing.T) {
	for _, f := range []Frame{
		{Type: TypeHello, Channel: ChannelControl, Payload: []byte(`{"containerId":"c"}`)},
		{Type: TypeStart, Channel: ChannelMain},
		{Type: TypeStdout, Channel: 1<<32 - 1, Payload: bytes.Repeat([]byte{0xff}, MaxPayload)},
		{Type: TypeWindow, Channel: 7, Payload: EncodeWindow(Window)},
	} {
		t.Run(f.Type.String(), func(t *testing.T) {
			b, err := f.Encode()
			if err != nil {
				t.Fatal(err)
			}
			if len(b) != HeaderSize+len(f.Payload) {
				t.Fatalf("encoded %d bytes, want %d", len(b), HeaderSize+len(f.Payload))
			}
			got, err := Decode(b)
			if err != nil {
				t.Fatal(err)
			}
			if got.Type != f.Type || got.Channel != f.Channel || !bytes.Equal(got.Payload, f.Payload) {
				t.Fatalf("round trip changed the frame: %v/%d/%d bytes", got.Type, got.Channel, len(got.Payload))
			}
		})
	}
}

func TestDecodeRejects(t *testing.T) {
	for _, tc := range []struct {
		name string
		b    []byte
	}{
		{"empty", nil},
		{"short header", []byte{byte(TypeStdout), 0, 0, 1}},
		{"type zero", []byte{0, 0, 0, 0, 1}},
		{"unknown type", []byte{byte(typeMax) + 1, 0, 0, 0, 1}},
		{"oversized", append([]byte{byte(TypeStdout), 0, 0, 0, 1}, make([]byte, MaxPayload+1)...)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := Decode(tc.b); !errors.Is(err, ErrFrame) {
				t.Fatalf("Decode = %v, want ErrFrame", err)
			}
		})
	}
}

func TestEncodeRejectsOversizedPayload(t *testing.T) {
	if _, err := (Frame{Type: TypeStdout, Payload: make([]byte, MaxPayload+1)}).Encode(); !errors.Is(err, ErrFrame) {
		t.Fatalf("Encode = %v, want ErrFrame", err)
	}
}

func TestErrorCodesMapToSentinels(t *testing.T) {
	for _, sentinel := range []error{ErrNotFound, ErrInvalid, ErrNotRunning} {
		e := ErrorFrom(errors.Join(errors.New("context"), sentinel))
		if !errors.Is(e, sentinel) {
			t.Errorf("code %q does not map back to %v", e.Code, sentinel)
		}
	}
	if e := ErrorFrom(errors.New("boom")); e.Code != CodeInternal || errors.Is(e, ErrNotFound) {
		t.Errorf("plain error got code %q", e.Code)
	}
}

func FuzzDecode(f *testing.F) {
	for _, seed := range [][]byte{
		{byte(TypeHello), 0, 0, 0, 0, '{', '}'},
		{byte(TypeWindow), 0, 0, 0, 3, 0, 4, 0, 0},
		{byte(TypeStdout), 0xff, 0xff, 0xff, 0xff},
		{},
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		fr, err := Decode(b)
		if err != nil {
			return
		}
		out, err := fr.Encode()
		if err != nil {
			t.Fatalf("decoded frame does not re-encode: %v", err)
		}
		if !bytes.Equal(out, b) {
			t.Fatalf("re-encoding differs")
		}
		if fr.Type == TypeWindow {
			_, _ = DecodeWindow(fr.Payload)
		}
		var v map[string]any
		_ = DecodeJSON(fr, &v)
	})
}
