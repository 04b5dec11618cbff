package rootfs

import (
	"errors"
	"io/fs"
	"path"
	"path/filepath"
	"syscall"
)

// layer says where a node's content lives.
type layer uint8

const (
	none  layer = iota // absent from the view
	upper              // the writable root (or a mount's source)
	lower              // only in the read-only lower layer
)

// node is one container path looked up in the merged view.
type node struct {
	p    string      // clean container path
	host string      // where to read it; for an absent path, where to create it
	in   layer       //
	fi   fs.FileInfo // Lstat of host; nil when absent
	err  error       // why it is absent: ENOENT, ENOTDIR or a host error
	mnt  int         // index in FS.mounts, -1 for the root tree
	ro   bool        // on a read-only mount
	// For directories of the root tree: whether entries of the upper and
	// lower directory at p show through.
	up, low bool
}

func (n node) isDir() bool { return n.fi != nil && n.fi.IsDir() }

// exists reports whether n is in the view, or returns the error naming op
// and the container path name that says why not.
func (n node) exists(op, name string) error {
	if n.fi != nil {
		return nil
	}
	return &fs.PathError{Op: op, Path: name, Err: n.err}
}

// rootNode is "/".
func (f *FS) rootNode() node {
	n := node{p: "/", host: f.root, mnt: -1}
	if host, i := f.mountOf("/"); i >= 0 {
		n.host, n.mnt, n.ro = host, i, f.mounts[i].ReadOnly
	}
	f.statNode(&n)
	if n.mnt < 0 {
		n.up, n.low = true, f.lower != ""
	}
	return n
}

// statNode fills in n from an Lstat of n.host.
func (f *FS) statNode(n *node) {
	fi, err := f.lstat(n.host)
	if err != nil {
		n.err = unwrap(err)
		return
	}
	n.in, n.fi = upper, fi
}

// child looks name up in directory dir. Only directories that are real
// host directories (never symlinks) are descended into, so host paths
// built here never follow a host symlink.
func (f *FS) child(dir node, name string) node {
	p := path.Join(dir.p, name)
	if host, i := f.mountOf(p); i >= 0 {
		n := node{p: p, host: host, mnt: i, ro: f.mounts[i].ReadOnly}
		f.statNode(&n)
		return n
	}
	n := node{p: p, host: filepath.Join(f.root, p), mnt: -1, err: syscall.ENOENT}
	switch {
	case dir.fi == nil:
		n.err = dir.err
		return n
	case !dir.fi.IsDir():
		n.err = syscall.ENOTDIR
		return n
	case f.lower != "" && isMeta(name):
		return n // whiteouts and markers are never shown
	}
	if dir.up {
		fi, err := f.lstat(n.host)
		if err == nil {
			n.in, n.fi = upper, fi
			n.up = fi.IsDir()
			n.low = n.up && dir.low && f.lowerDirShows(p)
			return n
		}
		if !errors.Is(err, fs.ErrNotExist) {
			n.err = unwrap(err)
			return n
		}
	}
	if dir.low && !(dir.up && f.whitedOut(p)) {
		lo := filepath.Join(f.lower, p)
		if fi, err := f.lstat(lo); err == nil {
			n.in, n.host, n.fi = lower, lo, fi
			n.low = fi.IsDir()
		}
	}
	return n
}

// walk resolves name to a node the way Resolve describes, and returns
// its parent directory's node too (the node itself for "/").
func (f *FS) walk(name string, followLast bool) (dir, n node, err error) {
	if !path.IsAbs(name) {
		return node{}, node{}, &fs.PathError{Op: "resolve", Path: name, Err: errors.New("path is not absolute")}
	}
	pending := split(name)
	// The nodes of every component of the current directory, so that ".."
	// returns to the parent's layering state.
	stack := []node{f.rootNode()}
	links := 0
	for len(pending) > 0 {
		c := pending[0]
		pending = pending[1:]
		if c == ".." {
			if len(stack) > 1 {
				stack = stack[:len(stack)-1]
			}
			continue
		}
		next := f.child(stack[len(stack)-1], c)
		// A missing component is kept as is. Resolution must go on: a
		// later ".." can bring the walk back to existing links.
		if (len(pending) == 0 && !followLast) || next.fi == nil || next.fi.Mode()&fs.ModeSymlink == 0 {
			stack = append(stack, next)
			continue
		}
		if links++; links > maxLinks {
			return node{}, node{}, &fs.PathError{Op: "resolve", Path: name, Err: syscall.ELOOP}
		}
		target, err := f.readlink(next.host)
		if err != nil {
			return node{}, node{}, &fs.PathError{Op: "readlink", Path: next.p, Err: unwrap(err)}
		}
		if path.IsAbs(target) {
			stack = stack[:1]
		}
		pending = append(split(target), pending...)
	}
	n = stack[len(stack)-1]
	if len(stack) == 1 {
		return n, n, nil
	}
	return stack[len(stack)-2], n, nil
}

// lookup finds the node of p, a path Resolve returned, again after a
// change; its components are directories, never symlinks.
func (f *FS) lookup(p string) node {
	n := f.rootNode()
	for _, c := range split(p) {
		n = f.child(n, c)
	}
	return n
}
