package core

import (
	"bytes"
	"context"
	"fmt"
	"path"
	"strconv"
	"strings"

	"github.com/sockerless/sockerless/functions/core/dockerfile"
)

// copy runs COPY and ADD from the build context: files, directories
// (their contents), wildcards, and for ADD local tar archives, which
// are extracted. Sources are resolved here; the backend only extracts
// the resulting tar into the build's filesystem.
func (s *buildState) copy(ctx context.Context, in dockerfile.Instruction) error {
	var mode int64
	for k, v := range in.Flags {
		switch k {
		case "from":
			// Sources are read from that stage or image, below.
		case "chown", "link":
			// Steps run as the host user here, so ownership cannot be
			// set; --link only changes how BuildKit caches.
		case "chmod":
			m, err := strconv.ParseInt(v, 8, 32)
			if err != nil || m < 0 || m > 0o7777 {
				return stepErr(in, fmt.Sprintf("invalid --chmod=%s: want an octal mode", v), nil)
			}
			mode = m
		default:
			return stepErr(in, fmt.Sprintf("unknown flag: --%s", k), nil)
		}
	}
	args := in.JSON
	if in.IsJSON() {
		for i, a := range args {
			w, err := s.word(a)
			if err != nil {
				return stepErr(in, in.Cmd, err)
			}
			args[i] = w
		}
	} else {
		var err error
		if args, err = s.words(in.Rest); err != nil {
			return stepErr(in, in.Cmd, err)
		}
	}
	if len(args) < 2 {
		return stepErr(in, in.Cmd+" requires at least two arguments, but only one was provided. Destination could not be determined.", nil)
	}
	srcs, dest := args[:len(args)-1], args[len(args)-1]
	intoDir := strings.HasSuffix(dest, "/") || dest == "." || strings.HasSuffix(dest, "/.")
	if !path.IsAbs(dest) {
		dest = joinPath(s.workdir(), dest)
	}
	dest = path.Clean(dest)

	type source struct {
		bc   *buildContext
		name string
	}
	var matched []source
	from, hasFrom := in.Flags["from"]
	for _, src := range srcs {
		if strings.HasPrefix(src, "http://") || strings.HasPrefix(src, "https://") || strings.HasPrefix(src, "git@") {
			if in.Cmd == "COPY" {
				return stepErr(in, "source can't be a URL for COPY", nil)
			}
			return stepErr(in, "ADD from a URL ("+src+") is not supported by this builder: download the file into the build context", nil)
		}
		bc, names := s.bc, []string(nil)
		var err error
		if hasFrom {
			bc, names, err = s.fromSource(ctx, from, src)
		} else {
			names, err = bc.match(src)
		}
		if err != nil {
			return fmt.Errorf("%s failed: %v", in.Cmd, err)
		}
		for _, n := range names {
			matched = append(matched, source{bc, n})
		}
	}
	if len(matched) == 0 {
		return fmt.Errorf("%s failed: no source files were specified", in.Cmd)
	}
	if len(matched) > 1 && !intoDir {
		return stepErr(in, "When using "+in.Cmd+" with more than one source file, the destination must be a directory and end with a /", nil)
	}
	if !intoDir {
		isDir, err := s.fs.IsDir(dest)
		if err != nil {
			return fmt.Errorf("%s failed: %v", in.Cmd, err)
		}
		intoDir = isDir
	}

	plan := newCopyPlan(mode)
	for _, src := range matched {
		m, e := src.name, src.bc.entries[src.name]
		switch {
		case e.isDir():
			// A directory's contents are copied, not the directory.
			if err := s.fs.MkdirAll(dest); err != nil {
				return fmt.Errorf("%s failed: %v", in.Cmd, err)
			}
			if err := plan.addTree(src.bc, m, dest); err != nil {
				return err
			}
		case in.Cmd == "ADD" && !hasFrom && len(e.data) > 0:
			ok, err := plan.addArchive(e.data, dest)
			if err != nil {
				return fmt.Errorf("ADD failed: %s: %v", m, err)
			}
			if ok {
				continue
			}
			fallthrough
		default:
			target := dest
			if intoDir {
				target = path.Join(dest, path.Base(m))
			}
			if err := plan.add(e, target); err != nil {
				return err
			}
		}
	}
	r, err := plan.tar()
	if err != nil {
		return err
	}
	if err := s.fs.Extract("/", r); err != nil {
		return fmt.Errorf("%s failed: %v", in.Cmd, err)
	}
	createdBy := fmt.Sprintf("%s #(nop) %s %s in %s ", strings.Join(s.shell(), " "), in.Cmd, strings.Join(srcs, " "), dest)
	return s.layer(ctx, createdBy)
}

// joinPath joins a relative path to the working directory.
func joinPath(dir, p string) string {
	if dir == "" {
		dir = "/"
	}
	return path.Join(dir, p)
}

// fromSource reads COPY --from's source out of an earlier stage or an
// image: the path itself, or for a wildcard in its last component,
// the directory holding it.
func (s *buildState) fromSource(ctx context.Context, from, src string) (*buildContext, []string, error) {
	fs, err := s.run.sourceFS(ctx, s, from)
	if err != nil {
		return nil, nil, err
	}
	clean := path.Clean("/" + src)
	what, pattern := clean, path.Base(clean)
	if clean == "/" {
		what, pattern = "/", ""
	}
	if strings.ContainsAny(clean, "*?[") {
		if strings.ContainsAny(path.Dir(clean), "*?[") {
			return nil, nil, fmt.Errorf("%s: wildcards are supported in the last path component only", src)
		}
		what = path.Dir(clean) + "/."
	}
	var buf bytes.Buffer
	if err := fs.Archive(what, &buf); err != nil {
		return nil, nil, fmt.Errorf("stat %s: %v", src, err)
	}
	bc := newContext()
	if err := bc.addTar(buf.Bytes()); err != nil {
		return nil, nil, err
	}
	if pattern == "" {
		return bc, []string{""}, nil
	}
	names, err := bc.match(pattern)
	return bc, names, err
}
