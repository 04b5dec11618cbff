package coreutils

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/sockerless/sockerless/sandbox/command"
)

// follower is tail -f: it polls its files every interval and prints
// what was appended, until its context ends (the process is stopped).
// A file that shrinks is read again from its start, as busybox does;
// with retry (-F) a file that is replaced, removed
// or not there yet is reopened by name when it can be.
type follower struct {
	ctx      context.Context
	inv      *command.Invocation
	files    []*followed
	retry    bool
	interval time.Duration
	headers  bool
	last     string // the file whose output was printed last
	printed  bool
}

// followed is one file being followed; r is nil while it cannot be
// opened (-F only).
type followed struct {
	name string
	r    io.ReadCloser
	off  int64
	ino  uint64
}

// run follows until the context ends. A stopped process returns 0;
// under the sandbox the host ends the module while it sleeps.
func (f *follower) run() int {
	defer func() {
		for _, fl := range f.files {
			if fl.r != nil {
				fl.r.Close()
			}
		}
	}()
	buf := make([]byte, 32<<10)
	t := time.NewTimer(f.interval)
	defer t.Stop()
	for {
		for _, fl := range f.files {
			f.check(fl)
			if err := f.copyNew(fl, buf); err != nil {
				// Whoever read the output is gone (busybox dies of
				// SIGPIPE there).
				return 1
			}
		}
		t.Reset(f.interval)
		select {
		case <-f.ctx.Done():
			return 0
		case <-t.C:
		}
	}
}

// check reopens fl when it shrank (busybox says nothing), or with -F
// when its name now leads to another file, nowhere, or again somewhere
// (with busybox's messages).
func (f *follower) check(fl *followed) {
	fi, err := f.inv.FS.Stat(f.inv.Abs(fl.name))
	switch {
	case err != nil:
		if f.retry && fl.r != nil {
			fmt.Fprintf(f.inv.Stderr, "tail: %s has been renamed or deleted: %s\n", fl.name, errText(err))
			fl.r.Close()
			fl.r = nil
		}
		return
	case fl.r == nil:
		// A new file, printed from its start.
		fmt.Fprintf(f.inv.Stderr, "tail: %s has appeared; following end of new file\n", fl.name)
	case f.retry && command.StatOf(fi).Ino != fl.ino:
		fmt.Fprintf(f.inv.Stderr, "tail: %s has been replaced; following end of new file\n", fl.name)
	case fi.Mode().IsRegular() && fi.Size() < fl.off:
	default:
		return
	}
	if fl.r != nil {
		fl.r.Close()
		fl.r = nil
	}
	r, err := f.inv.FS.Open(f.inv.Abs(fl.name))
	if err != nil {
		return
	}
	fl.r, fl.off, fl.ino = r, 0, command.StatOf(fi).Ino
}

// copyNew prints what fl's file gained since the last read; the error
// is writing's (a read error is retried at the next poll).
func (f *follower) copyNew(fl *followed, buf []byte) error {
	if fl.r == nil {
		return nil
	}
	for f.ctx.Err() == nil {
		n, err := fl.r.Read(buf)
		if n > 0 {
			fl.off += int64(n)
			if err := f.print(fl.name, buf[:n]); err != nil {
				return err
			}
		}
		if err != nil || n == 0 {
			return nil
		}
	}
	return nil
}

// ino is name's inode number, 0 when it cannot be read.
func (f *follower) ino(name string) uint64 {
	fi, err := f.inv.FS.Stat(f.inv.Abs(name))
	if err != nil {
		return 0
	}
	return command.StatOf(fi).Ino
}

// print writes out under name's header, when headers are shown and the
// previous output was another file's, and flushes it: a follower's
// output must not wait in a buffer for an exit that may never come.
func (f *follower) print(name string, out []byte) error {
	w := f.inv.Stdout
	if f.headers && (!f.printed || name != f.last) {
		if f.printed {
			fmt.Fprintln(w)
		}
		fmt.Fprintf(w, "==> %s <==\n", name)
	}
	f.last, f.printed = name, true
	if _, err := w.Write(out); err != nil {
		return err
	}
	if fl, ok := w.(interface{ Flush() error }); ok {
		return fl.Flush()
	}
	return nil
}
