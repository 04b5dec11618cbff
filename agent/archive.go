package agent

import (
	"errors"
	"fmt"
	"io"

	"github.com/sockerless/sockerless/agent/archive"
	"github.com/sockerless/sockerless/agent/proto"
)

func (a *agent) serveStat(ch *proto.Channel, p string) error {
	fsys, err := a.cfg.Runtime.FS()
	if err != nil {
		return err
	}
	st, err := archive.Stat(fsys, p)
	if err != nil {
		return err
	}
	return ch.SendJSON(proto.TypeAck, st)
}

// serveArchiveGet answers the stat, then streams a tar of the path whose
// top entry is the path's base name, as `docker cp` expects.
func (a *agent) serveArchiveGet(ch *proto.Channel, p string) error {
	fsys, err := a.cfg.Runtime.FS()
	if err != nil {
		return err
	}
	st, err := archive.Stat(fsys, p)
	if err != nil {
		return err
	}
	if err := ch.SendJSON(proto.TypeAck, st); err != nil {
		return err
	}
	if err := archive.Write(ch.Writer(a.ctx, proto.TypeStdout), fsys, p); err != nil {
		if errors.Is(err, proto.ErrClosed) {
			return nil // the edge stopped reading; nobody to tell
		}
		return fmt.Errorf("archiving %s: %w", p, err)
	}
	return nil
}

// serveArchivePut extracts the tar arriving as stdin frames into the
// directory at the path, then acks.
func (a *agent) serveArchivePut(ch *proto.Channel, open proto.Open) error {
	fsys, err := a.cfg.Runtime.FS()
	if err != nil {
		return err
	}
	if _, err := archive.Stat(fsys, open.Path); err != nil {
		return err
	}
	pr, pw := io.Pipe()
	go func() {
		for {
			f, err := ch.Recv(a.ctx)
			switch {
			case err != nil:
				pw.CloseWithError(err)
				return
			case f.Type == proto.TypeStdin:
				if _, err := pw.Write(f.Payload); err != nil {
					return // extraction stopped reading
				}
			case f.Type == proto.TypeStdinClose:
				pw.Close()
				return
			case f.Type == proto.TypeClose:
				pw.CloseWithError(fmt.Errorf("%w: archive upload abandoned", proto.ErrClosed))
				return
			}
		}
	}()
	err = archive.Extract(pr, fsys, open.Path, open.NoOverwriteDirNonDir)
	pr.CloseWithError(io.ErrClosedPipe)
	if err != nil {
		return err
	}
	return ch.Send(proto.TypeAck, nil)
}
