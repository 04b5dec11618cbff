package rootfs

import (
	"fmt"
	"path"
	"path/filepath"
	"sort"
	"strings"
)

// ChangeKind is how a path differs from the image, numbered as Docker's
// container changes API numbers them.
type ChangeKind uint8

const (
	Modified ChangeKind = 0
	Added    ChangeKind = 1
	Deleted  ChangeKind = 2
)

// Change is one path of a container that differs from its image.
type Change struct {
	Path string // container path
	Kind ChangeKind
}

// Changes lists how the layered view of upper over lower differs from
// lower, sorted by path, reading only upper and the lower paths it names:
// an upper entry over a lower one is Modified (directories included, as
// Docker reports the parents of changed files), one with nothing below it
// is Added with everything in it, and whiteouts, or lower entries under
// an opaque directory, are Deleted.
func Changes(upperDir, lowerDir string) ([]Change, error) {
	up, err := hostDir(upperDir)
	if err != nil {
		return nil, fmt.Errorf("rootfs: upper %q: %w", upperDir, err)
	}
	var lo string
	if lowerDir != "" {
		if lo, err = hostDir(lowerDir); err != nil {
			return nil, fmt.Errorf("rootfs: lower %q: %w", lowerDir, err)
		}
	}
	d := differ{upper: up, lower: lo, host: &FS{root: up, lower: lo}}
	if err := d.dir("/", lo != ""); err != nil {
		return nil, err
	}
	sort.Slice(d.out, func(i, j int) bool { return d.out[i].Path < d.out[j].Path })
	return d.out, nil
}

type differ struct {
	upper, lower string
	host         *FS // reads the layers confined, as the container may still run
	out          []Change
}

// dir reports the entries of upper directory p; low says whether the
// lower directory at p shows through it.
func (d *differ) dir(p string, low bool) error {
	ents, err := d.host.readDirHost(filepath.Join(d.upper, p))
	if err != nil {
		return err
	}
	names := make(map[string]bool, len(ents))
	for _, e := range ents {
		names[e.Name()] = true
	}
	inLower := func(name string) bool { return low && d.host.lexists(filepath.Join(d.lower, p, name)) }
	if low && names[opaque] {
		// Everything lower had here is gone, except what upper replaced.
		lents, err := d.host.readDirHost(filepath.Join(d.lower, p))
		if err != nil {
			return err
		}
		for _, e := range lents {
			if !names[e.Name()] && !isMeta(e.Name()) {
				d.out = append(d.out, Change{Path: path.Join(p, e.Name()), Kind: Deleted})
			}
		}
		low = false
	}
	for _, e := range ents {
		name := e.Name()
		cp := path.Join(p, name)
		switch {
		case d.lower == "":
			// Without layers, no name is special.
		case strings.HasPrefix(name, metaPrefix):
			continue // the opaque marker, or a copy-up's temporary file
		case isMeta(name):
			gone := name[len(whPrefix):]
			if !names[gone] && inLower(gone) {
				d.out = append(d.out, Change{Path: path.Join(p, gone), Kind: Deleted})
			}
			continue
		}
		kind := Added
		lowerHas := inLower(name)
		if lowerHas {
			kind = Modified
		}
		d.out = append(d.out, Change{Path: cp, Kind: kind})
		if e.IsDir() {
			// A whiteout beside a directory means it replaced the lower one.
			merged := lowerHas && !names[whPrefix+name] && d.isLowerDir(filepath.Join(d.lower, cp))
			if err := d.dir(cp, merged); err != nil {
				return err
			}
		}
	}
	return nil
}

func (d *differ) isLowerDir(host string) bool {
	fi, err := d.host.lstat(host)
	return err == nil && fi.IsDir()
}
