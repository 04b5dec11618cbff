package imagefs

import (
	"os"
	"path/filepath"
)

// Home is a service's directory for the images it unpacks (Images, under
// Dir/images) and its workloads' files: the directory it was given, or a
// temporary one that Close removes.
type Home struct {
	Dir    string
	Images *Cache
	temp   bool
}

// OpenHome uses dir or, when it is empty, a new temporary directory whose
// name starts with prefix.
func OpenHome(dir, prefix string) (*Home, error) {
	h := &Home{Dir: dir}
	if dir == "" {
		d, err := os.MkdirTemp("", prefix)
		if err != nil {
			return nil, err
		}
		h.Dir, h.temp = d, true
	}
	h.Images = NewCache(filepath.Join(h.Dir, "images"))
	return h, nil
}

// Close removes the directory when it is a temporary one.
func (h *Home) Close() error {
	if h.temp {
		return os.RemoveAll(h.Dir)
	}
	return nil
}
