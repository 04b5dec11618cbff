// Package logcursor is the cursor the cloud log readers (CloudWatch
// Logs, Cloud Logging) hand back to core: the last timestamp read and
// the ids of the entries at it, so that following picks up exactly after
// them, however many entries share a timestamp.
package logcursor

import (
	"strconv"
	"strings"
)

// Cursor is where a read of a time-ordered log stopped.
type Cursor struct {
	// Since is the last timestamp read, in the log's own unit (0: none).
	Since int64
	seen  map[string]bool
}

// Parse reads a cursor String made ("" is the start).
func Parse(c string) Cursor {
	cur := Cursor{seen: map[string]bool{}}
	ts, ids, _ := strings.Cut(c, ":")
	cur.Since, _ = strconv.ParseInt(ts, 10, 64)
	for _, id := range strings.Split(ids, ",") {
		if id != "" {
			cur.seen[id] = true
		}
	}
	return cur
}

// Next reports whether the entry at ts with id comes after the cursor,
// and moves the cursor past it if so. Entries must come in time order.
func (c *Cursor) Next(ts int64, id string) bool {
	if ts < c.Since || (ts == c.Since && c.seen[id]) {
		return false
	}
	if ts != c.Since || c.seen == nil {
		c.Since, c.seen = ts, map[string]bool{}
	}
	c.seen[id] = true
	return true
}

// String is the cursor for core ("" when nothing was read).
func (c Cursor) String() string {
	if c.Since == 0 {
		return ""
	}
	ids := make([]string, 0, len(c.seen))
	for id := range c.seen {
		ids = append(ids, id)
	}
	return strconv.FormatInt(c.Since, 10) + ":" + strings.Join(ids, ",")
}
