package core

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/moby/moby/api/types/events"
	"github.com/sockerless/sockerless/functions/call"
)

// eventTTL is how long events stay readable with --since.
const eventTTL = time.Hour

// emit records an event. Keys sort by time so a cursor is just a key.
func (c *Core) emit(ctx context.Context, typ events.Type, action events.Action, id string, attrs map[string]string) {
	now := c.now()
	msg := events.Message{
		Type: typ, Action: action, Scope: "local",
		Actor: events.Actor{ID: id, Attributes: attrs},
		Time:  now.Unix(), TimeNano: now.UnixNano(),
	}
	suffix := make([]byte, 4)
	_, _ = rand.Read(suffix)
	key := fmt.Sprintf("%s%020d-%s", keyEvent, now.UnixNano(), hex.EncodeToString(suffix))
	if _, err := c.putJSON(ctx, key, msg, 0, eventTTL); err != nil {
		c.cfg.Log.Warn("event not recorded", "action", action, "id", id, "err", err)
	}
}

func (c *Core) emitContainer(ctx context.Context, r *containerRecord, action events.Action, extra map[string]string) {
	attrs := map[string]string{"name": r.shortName(), "image": r.Config.Image}
	for k, v := range r.Config.Labels {
		attrs[k] = v
	}
	for k, v := range extra {
		attrs[k] = v
	}
	c.emit(ctx, events.ContainerEventType, action, r.ID, attrs)
}

// systemEvents answers GET /events. The first call returns what is past
// since; the edge then follows with the cursor until "until".
func (c *Core) systemEvents(ctx context.Context, in call.Call) (call.Reply, error) {
	f, err := parseFilters(in.Query.Get("filters"), eventFilterKeys)
	if err != nil {
		return call.Reply{}, err
	}
	now := c.now()
	since, err := parseEventTime(in.Query.Get("since"), now)
	if err != nil {
		return call.Reply{}, err
	}
	until, err := parseEventTime(in.Query.Get("until"), now)
	if err != nil {
		return call.Reply{}, err
	}
	cursor := in.Query.Get(call.QueryCursor)
	if cursor == "" {
		start := now
		if !since.IsZero() {
			start = since
		}
		cursor = fmt.Sprintf("%s%020d", keyEvent, start.UnixNano())
	}
	recs, _, err := c.store.List(ctx, keyEvent, cursor, 1000)
	if err != nil {
		return call.Reply{}, err
	}
	var body []byte
	done := false
	for _, r := range recs {
		var m events.Message
		if err := json.Unmarshal(r.Value, &m); err != nil {
			continue
		}
		cursor = r.Key
		if !until.IsZero() && m.TimeNano > until.UnixNano() {
			done = true
			break
		}
		if !f.matchEvent(m) {
			continue
		}
		line, _ := json.Marshal(m)
		body = append(body, line...)
		body = append(body, '\n')
	}
	if !until.IsZero() && !c.now().Before(until) {
		done = true
	}
	return call.Reply{
		Status: http.StatusOK, Header: jsonHeader(), Body: body,
		Stream: &call.Stream{Kind: call.StreamEvents, Cursor: cursor, Done: done},
	}, nil
}

// parseEventTime reads Docker's since/until: unix seconds with optional
// fraction, RFC 3339, or a Go duration relative to now.
func parseEventTime(s string, now time.Time) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil {
		sec := int64(f)
		return time.Unix(sec, int64((f-float64(sec))*1e9)), nil
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, nil
	}
	if d, err := time.ParseDuration(s); err == nil {
		return now.Add(-d), nil
	}
	return time.Time{}, invalid("invalid time value %q: use unix seconds, RFC 3339, or a duration", s)
}
