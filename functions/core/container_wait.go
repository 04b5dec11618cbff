package core

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/moby/moby/api/types/container"
	"github.com/sockerless/sockerless/functions/call"
)

// goneTTL keeps a removed container's exit code for late waiters.
const goneTTL = 10 * time.Minute

// containerWait answers POST /containers/{id}/wait. The first call fixes
// what "next exit" means in the cursor; the edge calls again until the
// condition holds.
func (c *Core) containerWait(ctx context.Context, in call.Call) (call.Reply, error) {
	id := in.Var("name")
	cond := container.WaitCondition(in.Query.Get("condition"))
	switch cond {
	case "", container.WaitConditionNotRunning, container.WaitConditionNextExit, container.WaitConditionRemoved:
	default:
		return call.Reply{}, invalid("invalid condition: %q", cond)
	}
	cursor := in.Query.Get(call.QueryCursor)
	rec, _, err := c.findContainer(ctx, id)
	if statusOf(err) == http.StatusNotFound && cursor != "" {
		if code, ok := c.goneExitCode(ctx, strings.SplitN(cursor, ":", 3)[2]); ok {
			return jsonReply(http.StatusOK, container.WaitResponse{StatusCode: int64(code)}), nil
		}
	}
	if err != nil {
		return call.Reply{}, err
	}
	recID := rec.ID
	if rec, err = c.reconcile(ctx, rec); err != nil {
		if statusOf(err) == http.StatusNotFound {
			if code, ok := c.goneExitCode(ctx, recID); ok {
				return jsonReply(http.StatusOK, container.WaitResponse{StatusCode: int64(code)}), nil
			}
		}
		return call.Reply{}, err
	}
	if cursor == "" {
		cursor = waitCursor(rec)
	}
	parts := strings.SplitN(cursor, ":", 3)
	if len(parts) != 3 {
		return call.Reply{}, invalid("invalid wait cursor")
	}
	starts, _ := strconv.Atoi(parts[0])
	wasRunning := parts[1] == "true"
	done := false
	switch cond {
	case container.WaitConditionNextExit:
		done = !rec.running() && (rec.Starts > starts || wasRunning)
	case container.WaitConditionRemoved:
		done = false
	default:
		done = !rec.running()
	}
	if !done {
		exit := 0 // condition=removed: only the removal ends it
		if cond != container.WaitConditionRemoved {
			exit = starts
			if !wasRunning {
				exit = starts + 1
			}
		}
		return call.Reply{Status: http.StatusOK, Header: jsonHeader(),
			Stream: &call.Stream{Kind: call.StreamWait, Container: rec.ID, Cursor: cursor, ExitOf: exit}}, nil
	}
	return jsonReply(http.StatusOK, waitResponse(rec)), nil
}

// waitCursor fixes what "the next exit" means for a wait starting now.
func waitCursor(rec *containerRecord) string {
	return fmt.Sprintf("%d:%t:%s", rec.Starts, rec.running(), rec.ID)
}

func waitResponse(rec *containerRecord) container.WaitResponse {
	resp := container.WaitResponse{StatusCode: int64(rec.State.ExitCode)}
	if rec.State.Error != "" {
		resp.Error = &container.WaitExitError{Message: rec.State.Error}
	}
	return resp
}

// goneExitCode returns the exit code a removed container left behind.
func (c *Core) goneExitCode(ctx context.Context, id string) (int, bool) {
	r, err := c.store.Get(ctx, keyContainerGone+id)
	if err != nil {
		return 0, false
	}
	var code int
	if json.Unmarshal(r.Value, &code) != nil {
		return 0, false
	}
	return code, true
}
