package calllog

import (
	"fmt"
	"io"
	"log/slog"
)

// Log formats --log-format takes.
const (
	FormatText = "text"
	FormatJSON = "json"
)

// NewLogger is the logger the commands' --log-format and --debug ask
// for: slog's text or JSON lines to w, at info, or at debug to also see
// each invocation, agent session and stream.
func NewLogger(w io.Writer, format string, debug bool) (*slog.Logger, error) {
	opts := &slog.HandlerOptions{Level: slog.LevelInfo}
	if debug {
		opts.Level = slog.LevelDebug
	}
	switch format {
	case "", FormatText:
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case FormatJSON:
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("unknown --log-format %q: want %s or %s", format, FormatText, FormatJSON)
}
