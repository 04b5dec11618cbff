package core

import (
	"archive/tar"
	"bytes"
	"errors"
	"fmt"
	"io"
	"path"
	"sort"
	"strings"

	"github.com/moby/patternmatcher"
	"github.com/moby/patternmatcher/ignorefile"
	"github.com/sockerless/sockerless/agent/archive"
)

// buildContext is the build context the client sent, indexed by path
// ("dir/file", no leading slash), with the directories it implies.
type buildContext struct {
	entries map[string]*contextEntry
}

type contextEntry struct {
	hdr  *tar.Header
	data []byte
}

func (e *contextEntry) isDir() bool { return e.hdr.Typeflag == tar.TypeDir }

func newContext() *buildContext {
	return &buildContext{entries: map[string]*contextEntry{"": {hdr: &tar.Header{Typeflag: tar.TypeDir, Mode: 0o755}}}}
}

// readContext reads a tar build context, plain or compressed (the CLI
// gzips it with --compress).
func readContext(body []byte) (*buildContext, error) {
	bc := newContext()
	r, err := archive.Decompressed(bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	raw, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("reading the build context: %v", err)
	}
	if !isTar(raw) && len(bytes.Trim(raw, "\x00")) > 0 {
		// `docker build - < Dockerfile` sends the Dockerfile alone.
		bc.entries["Dockerfile"] = &contextEntry{hdr: &tar.Header{Name: "Dockerfile", Typeflag: tar.TypeReg, Mode: 0o644, Size: int64(len(raw))}, data: raw}
		return bc, nil
	}
	return bc, bc.addTar(raw)
}

// addTar indexes the entries of a plain tar.
func (bc *buildContext) addTar(raw []byte) error {
	tr := tar.NewReader(bytes.NewReader(raw))
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("the build context is not a valid tar archive: %v", err)
		}
		name := strings.TrimPrefix(path.Clean("/"+h.Name), "/")
		data, err := io.ReadAll(tr)
		if err != nil {
			return fmt.Errorf("reading the build context: %v", err)
		}
		if h.Typeflag == tar.TypeLink {
			// A hard link names a context path, not where a copy lands:
			// keep it as the file it links to.
			target := bc.entries[strings.TrimPrefix(path.Clean("/"+h.Linkname), "/")]
			if target == nil {
				return fmt.Errorf("the build context links %s to %s, which it does not hold", h.Name, h.Linkname)
			}
			h.Typeflag, h.Linkname, data = tar.TypeReg, "", target.data
		}
		bc.entries[name] = &contextEntry{hdr: h, data: data}
		// Parents a tar left implicit are directories too.
		for d := path.Dir(name); d != "." && bc.entries[d] == nil; d = path.Dir(d) {
			bc.entries[d] = &contextEntry{hdr: &tar.Header{Name: d, Typeflag: tar.TypeDir, Mode: 0o755, ModTime: h.ModTime}}
		}
	}
}

// file returns a regular file of the context.
func (bc *buildContext) file(name string) ([]byte, bool) {
	e := bc.entries[strings.TrimPrefix(path.Clean("/"+name), "/")]
	if e == nil || e.hdr.Typeflag != tar.TypeReg && e.hdr.Typeflag != tar.TypeRegA {
		return nil, false
	}
	return e.data, true
}

// match resolves a COPY source: a path, or a pattern whose wildcards
// match within one path component each, as Docker's do.
func (bc *buildContext) match(src string) ([]string, error) {
	clean := strings.TrimPrefix(path.Clean("/"+src), "/")
	if !strings.ContainsAny(clean, "*?[") {
		if bc.entries[clean] == nil {
			return nil, fmt.Errorf("file not found in build context or excluded by .dockerignore: stat %s: file does not exist", src)
		}
		return []string{clean}, nil
	}
	var out []string
	for name := range bc.entries {
		if ok, err := path.Match(clean, name); err != nil {
			return nil, fmt.Errorf("bad pattern %q: %v", src, err)
		} else if ok && name != "" {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out, nil
}

// under lists the entries inside directory dir, sorted.
func (bc *buildContext) under(dir string) []string {
	prefix := dir + "/"
	if dir == "" {
		prefix = ""
	}
	var out []string
	for name := range bc.entries {
		if name != "" && name != dir && strings.HasPrefix(name, prefix) {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out
}

// copyPlan is the tar a COPY or ADD extracts at "/", with the container
// paths it writes.
type copyPlan struct {
	buf bytes.Buffer
	tw  *tar.Writer
	// mode, when not 0, replaces every entry's permissions (--chmod).
	mode int64
}

func newCopyPlan(mode int64) *copyPlan {
	p := &copyPlan{mode: mode}
	p.tw = tar.NewWriter(&p.buf)
	return p
}

// add writes a context entry at container path dst. Owners are root, as
// Docker's COPY makes them without --chown.
func (p *copyPlan) add(e *contextEntry, dst string) error {
	h := *e.hdr
	h.Name = strings.TrimPrefix(dst, "/")
	if h.Typeflag == tar.TypeDir {
		h.Name += "/"
	}
	h.Uid, h.Gid, h.Uname, h.Gname = 0, 0, "", ""
	if p.mode != 0 {
		h.Mode = p.mode
	}
	h.Size = int64(len(e.data))
	if h.Typeflag != tar.TypeReg && h.Typeflag != tar.TypeRegA {
		h.Size = 0
	}
	if err := p.tw.WriteHeader(&h); err != nil {
		return err
	}
	if h.Size > 0 {
		_, err := p.tw.Write(e.data)
		return err
	}
	return nil
}

// addTree copies directory src's contents (not src itself) under dst.
func (p *copyPlan) addTree(bc *buildContext, src, dst string) error {
	for _, name := range bc.under(src) {
		rel := strings.TrimPrefix(strings.TrimPrefix(name, src), "/")
		if err := p.add(bc.entries[name], path.Join(dst, rel)); err != nil {
			return err
		}
	}
	return nil
}

// addArchive extracts a local tar (plain, gzip, bzip2 or xz), as ADD does,
// under dst. It reports false when data is no tar archive.
func (p *copyPlan) addArchive(data []byte, dst string) (bool, error) {
	r, err := archive.Decompressed(bytes.NewReader(data))
	if err != nil {
		return false, nil
	}
	var raw bytes.Buffer
	if _, err := io.Copy(&raw, r); err != nil {
		return false, nil
	}
	if !isTar(raw.Bytes()) {
		return false, nil
	}
	tr := tar.NewReader(&raw)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return true, nil
		}
		if err != nil {
			return true, fmt.Errorf("extracting the archive: %v", err)
		}
		data, err := io.ReadAll(tr)
		if err != nil {
			return true, err
		}
		name := strings.TrimPrefix(path.Clean("/"+h.Name), "/")
		if name == "" {
			continue
		}
		if h.Typeflag == tar.TypeLink {
			h.Linkname = path.Join(dst, strings.TrimPrefix(path.Clean("/"+h.Linkname), "/"))
		}
		if err := p.add(&contextEntry{hdr: h, data: data}, path.Join(dst, name)); err != nil {
			return true, err
		}
	}
}

// isTar looks for the ustar magic of a first tar header.
func isTar(b []byte) bool {
	return len(b) >= 262 && bytes.HasPrefix(b[257:], []byte("ustar"))
}

func (p *copyPlan) tar() (io.Reader, error) {
	if err := p.tw.Close(); err != nil {
		return nil, err
	}
	return &p.buf, nil
}

// applyIgnore drops from the context what its .dockerignore excludes,
// the Dockerfile and .dockerignore included, as dockerd's builder does
// once it has read the Dockerfile: a client that filtered the context
// already (the CLI) loses nothing more; one that sends the Dockerfile
// and .dockerignore regardless (docker-py) loses them when excluded. A
// directory stays while something under it does.
func (bc *buildContext) applyIgnore() error {
	src, ok := bc.file(".dockerignore")
	if !ok {
		return nil
	}
	patterns, err := ignorefile.ReadAll(bytes.NewReader(src))
	if err != nil {
		return fmt.Errorf("reading .dockerignore: %v", err)
	}
	pm, err := patternmatcher.New(patterns)
	if err != nil {
		return fmt.Errorf("invalid .dockerignore: %v", err)
	}
	excluded := map[string]bool{}
	for p := range bc.entries {
		if p == "" {
			continue
		}
		if excluded[p], err = pm.MatchesOrParentMatches(p); err != nil {
			return fmt.Errorf("invalid .dockerignore: %v", err)
		}
	}
	kept := map[string]bool{}
	for p, ex := range excluded {
		if ex {
			continue
		}
		for d := path.Dir(p); d != "." && !kept[d]; d = path.Dir(d) {
			kept[d] = true
		}
	}
	for p, ex := range excluded {
		if ex && !kept[p] {
			delete(bc.entries, p)
		}
	}
	return nil
}
