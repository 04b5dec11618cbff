package call

import (
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
