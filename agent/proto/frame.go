package proto

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// Type is the first byte of a frame.
type Type byte

const (
	TypeHello      Type = 1
	TypeStart      Type = 2
	TypeOpen       Type = 3
	TypeStdin      Type = 4
	TypeStdinClose Type = 5
	TypeStdout     Type = 6
	TypeStderr     Type = 7
	TypeResize     Type = 8
	TypeSignal     Type = 9
	TypeExit       Type = 10
	TypeAck        Type = 11
	TypeError      Type = 12
	TypeClose      Type = 13
	TypeWindow     Type = 14
	TypeHealth     Type = 15 // a healthcheck probe's result, on the main channel
	typeMax             = TypeHealth
)

var typeNames = [...]string{
	TypeHello: "hello", TypeStart: "start", TypeOpen: "open",
	TypeStdin: "stdin", TypeStdinClose: "stdin-close", TypeStdout: "stdout",
	TypeStderr: "stderr", TypeResize: "resize", TypeSignal: "signal",
	TypeExit: "exit", TypeAck: "ack", TypeError: "error", TypeClose: "close",
	TypeWindow: "window", TypeHealth: "health",
}

func (t Type) String() string {
	if t >= TypeHello && t <= typeMax {
		return typeNames[t]
	}
	return fmt.Sprintf("type(%d)", byte(t))
}

// IsData reports whether frames of type t carry stream bytes that count
// against the flow-control window.
func (t Type) IsData() bool {
	return t == TypeStdin || t == TypeStdout || t == TypeStderr
}

const (
	// HeaderSize is the type byte plus the channel id.
	HeaderSize = 5
	// MaxPayload bounds one frame's payload; larger data is split.
	MaxPayload = 32 << 10
	// MaxFrame is the largest WebSocket message a peer may send.
	MaxFrame = HeaderSize + MaxPayload

	// ChannelControl carries hello.
	ChannelControl uint32 = 0
	// ChannelMain carries the main process.
	ChannelMain uint32 = 1
	// FirstRequestChannel is the first id the edge hands out.
	FirstRequestChannel uint32 = 2
)

// ErrFrame reports a malformed frame.
var ErrFrame = errors.New("proto: malformed frame")

// Frame is one protocol message.
//
// Every WebSocket message is binary and carries exactly one frame:
//
//	offset  size  field
//	0       1     type     (Type: hello, start, open, ...)
//	1       4     channel  (uint32, big endian)
//	5       n     payload  (0 ≤ n ≤ MaxPayload bytes)
//
// Channel 0 is control (hello). Channel 1 is the container's main
// process. Every other channel is one request (an exec, an archive
// transfer, a top listing); the edge allocates its id and opens it with
// an open frame. Payloads of control frames are JSON (see messages.go);
// stdin, stdout and stderr payloads are raw bytes; a window payload is a
// big-endian uint32.
//
// Conversation per channel:
//
//	hello        agent→edge, ch 0: Hello
//	start        edge→agent, ch 1: start the main process (empty)
//	  → ack (main runs; an agent whose hello says acksStart) | exit
//	stdout/err   agent→edge, ch 1: main output
//	stdin        edge→agent, ch 1: main input; stdin-close ends it
//	resize/signal edge→agent, ch 1 or an exec channel
//	exit         agent→edge, ch 1: Exit; the edge answers ack once it
//	             has recorded it, and the agent repeats the exit (in its
//	             next hello) until it sees that ack
//	open         edge→agent, ch ≥2: Open
//	  exec          → ack (started) | error; stdout/stderr…; exit; close
//	  archive-stat  → ack{PathStat} | error; close
//	  archive-get   → ack{PathStat} | error; stdout (tar)…; close
//	  archive-put   ← stdin (tar)…, stdin-close; → ack | error; close
//	  top           → stdout (TopResult JSON)… | error; close
//	close        either way: the sender is done with the channel; a
//	             close from the edge before the end abandons the request
//	window       either way: the receiver has consumed n more bytes of
//	             stdin/stdout/stderr on the channel (flow control)
//
// Flow control: each side may have at most Window bytes of stdin, stdout
// and stderr payload in flight per channel; the receiver hands credit
// back with window frames as its consumer drains them. So a slow reader
// of one channel stalls only that channel's writer, never the others.
type Frame struct {
	Type    Type
	Channel uint32
	Payload []byte
}

// Encode returns the wire form of f.
func (f Frame) Encode() ([]byte, error) {
	if f.Type < TypeHello || f.Type > typeMax {
		return nil, fmt.Errorf("%w: unknown type %d", ErrFrame, f.Type)
	}
	if len(f.Payload) > MaxPayload {
		return nil, fmt.Errorf("%w: payload of %d bytes exceeds %d", ErrFrame, len(f.Payload), MaxPayload)
	}
	b := make([]byte, HeaderSize+len(f.Payload))
	b[0] = byte(f.Type)
	binary.BigEndian.PutUint32(b[1:HeaderSize], f.Channel)
	copy(b[HeaderSize:], f.Payload)
	return b, nil
}

// Decode parses one frame. The payload aliases b.
func Decode(b []byte) (Frame, error) {
	if len(b) < HeaderSize {
		return Frame{}, fmt.Errorf("%w: %d bytes is shorter than the %d-byte header", ErrFrame, len(b), HeaderSize)
	}
	if len(b) > MaxFrame {
		return Frame{}, fmt.Errorf("%w: %d bytes exceeds %d", ErrFrame, len(b), MaxFrame)
	}
	t := Type(b[0])
	if t < TypeHello || t > typeMax {
		return Frame{}, fmt.Errorf("%w: unknown type %d", ErrFrame, b[0])
	}
	return Frame{Type: t, Channel: binary.BigEndian.Uint32(b[1:HeaderSize]), Payload: b[HeaderSize:]}, nil
}

// EncodeWindow is the payload of a window frame granting n bytes.
func EncodeWindow(n uint32) []byte {
	return binary.BigEndian.AppendUint32(nil, n)
}

// DecodeWindow parses a window payload.
func DecodeWindow(p []byte) (uint32, error) {
	if len(p) != 4 {
		return 0, fmt.Errorf("%w: window payload of %d bytes, want 4", ErrFrame, len(p))
	}
	return binary.BigEndian.Uint32(p), nil
}
