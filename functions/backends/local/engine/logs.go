package engine

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/moby/moby/client"
	"github.com/sockerless/sockerless/functions/core"
)

// Logs reads the container's log after cursor, the RFC 3339 time of
// the last entry returned: first what earlier starts' engine containers
// wrote (kept by keepLogs), then the current one's. The engine's since
// filter is inclusive, so entries at or before the cursor are dropped
// here.
func (d *Driver) Logs(ctx context.Context, id, cursor string) ([]core.LogEntry, string, error) {
	var after time.Time
	opt := client.ContainerLogsOptions{ShowStdout: true, ShowStderr: true, Timestamps: true}
	if cursor != "" {
		t, err := time.Parse(time.RFC3339Nano, cursor)
		if err != nil {
			return nil, "", errors.New("invalid log cursor")
		}
		after = t
		opt.Since = strconv.FormatInt(t.Unix(), 10) + "." + fmt.Sprintf("%09d", t.Nanosecond())
	}
	entries, err := d.keptLogs(id, after)
	if err != nil {
		return nil, cursor, err
	}
	rc, err := d.engine.ContainerLogs(ctx, name(id), opt)
	switch {
	case cerrdefs.IsNotFound(err):
	case err != nil:
		return nil, cursor, err
	default:
		live, err := parseLogs(rc, after)
		rc.Close()
		if err != nil {
			return nil, cursor, err
		}
		entries = append(entries, live...)
	}
	if len(entries) > 0 {
		cursor = entries[len(entries)-1].Time.Format(time.RFC3339Nano)
	}
	return entries, cursor, nil
}

func (d *Driver) logPath(id string) string { return filepath.Join(d.cfg.Dir, "logs", id) }

// keepLogs appends the log of an engine container about to be replaced
// (see Start) to the container's kept log, in the engine's own stream
// format: `docker logs` shows every start's output, as Docker does.
func (d *Driver) keepLogs(ctx context.Context, engineID, id string) error {
	rc, err := d.engine.ContainerLogs(ctx, engineID, client.ContainerLogsOptions{ShowStdout: true, ShowStderr: true, Timestamps: true})
	if err != nil {
		return err
	}
	defer rc.Close()
	if err := os.MkdirAll(filepath.Dir(d.logPath(id)), 0o700); err != nil {
		return err
	}
	f, err := os.OpenFile(d.logPath(id), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, rc); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func (d *Driver) keptLogs(id string, after time.Time) ([]core.LogEntry, error) {
	f, err := os.Open(d.logPath(id))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return parseLogs(f, after)
}

// parseLogs reads the engine's multiplexed log stream (8-byte frame
// headers: stream, 3 zero bytes, big-endian length), each frame a
// timestamp, a space and the data, keeping entries after after.
func parseLogs(r io.Reader, after time.Time) ([]core.LogEntry, error) {
	br := bufio.NewReader(r)
	var out []core.LogEntry
	var hdr [8]byte
	for {
		if _, err := io.ReadFull(br, hdr[:]); err != nil {
			if errors.Is(err, io.EOF) {
				return out, nil
			}
			return out, fmt.Errorf("engine log stream: %w", err)
		}
		frame := make([]byte, binary.BigEndian.Uint32(hdr[4:]))
		if _, err := io.ReadFull(br, frame); err != nil {
			return out, fmt.Errorf("engine log stream: %w", err)
		}
		ts, data, ok := bytes.Cut(frame, []byte(" "))
		if !ok {
			return out, errors.New("engine log frame has no timestamp")
		}
		t, err := time.Parse(time.RFC3339Nano, string(ts))
		if err != nil {
			return out, fmt.Errorf("engine log timestamp: %w", err)
		}
		if !after.IsZero() && !t.After(after) {
			continue
		}
		stream := int(hdr[0])
		if stream != 2 {
			stream = 1
		}
		out = append(out, core.LogEntry{Stream: stream, Time: t.UTC(), Data: data})
	}
}
