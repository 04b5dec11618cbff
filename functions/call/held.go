package call

import (
	"encoding/json"
	"net/http"
	"strconv"
)

// HoldBody returns c without its body, marked with BodyHeldHeader, for a
// transport whose payload limit the body passes. Only an archive upload
// can travel so: the edge streams it to a running container's agent. The
// other ops' bodies are the function's to consume, and ok is false.
func HoldBody(c Call) (held Call, ok bool) {
	if c.Op != OpContainerArchive {
		return c, false
	}
	held = c
	held.Header = c.Header.Clone()
	if held.Header == nil {
		held.Header = http.Header{}
	}
	held.Header.Set(BodyHeldHeader, strconv.Itoa(len(c.Body)))
	held.Body = nil
	return held, true
}

// HeldBody reports whether the edge held c's body, and its length.
func HeldBody(c Call) (size int, held bool) {
	v := c.Header.Get(BodyHeldHeader)
	if v == "" {
		return 0, false
	}
	size, _ = strconv.Atoi(v) // HoldBody writes a number; the body is gone either way
	return size, true
}

// Payload is c's JSON for a transport that carries at most limit bytes
// to the function: when the whole call is larger and its body may be
// held (HoldBody), the call without its body, which the edge then
// streams to the container's agent itself. fits is false when even that
// is larger than limit; the transport refuses the call then.
func Payload(c Call, limit int) (payload []byte, fits bool, err error) {
	if payload, err = json.Marshal(c); err != nil || len(payload) <= limit {
		return payload, err == nil, err
	}
	if held, ok := HoldBody(c); ok {
		if payload, err = json.Marshal(held); err != nil {
			return nil, false, err
		}
	}
	return payload, len(payload) <= limit, nil
}
