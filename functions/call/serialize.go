package call

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
)

// Serialized wraps h so every Call and Reply crosses a JSON encoding, as
// it does on the way to a remote function. Local mode's tests run the
// in-process function through it to prove the envelope is complete.
func Serialized(h Handler) Handler {
	return HandlerFunc(func(ctx context.Context, c Call) Reply {
		var in Call
		if err := roundTrip(c, &in); err != nil {
			return transportError(err)
		}
		out := h.Handle(ctx, in)
		var rep Reply
		if err := roundTrip(out, &rep); err != nil {
			return transportError(err)
		}
		return rep
	})
}

func roundTrip(v, into any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, into)
}

func transportError(err error) Reply {
	return ErrorReply(http.StatusInternalServerError, fmt.Sprintf("envelope encoding failed: %v", err))
}
