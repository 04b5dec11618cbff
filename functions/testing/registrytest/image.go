package registrytest

import (
	"archive/tar"
	"bytes"
	"fmt"
	"io"
	"path"
	"sort"
	"strings"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

// BaseFiles is a minimal Linux root filesystem for test images.
func BaseFiles() map[string]string {
	return map[string]string{
		"bin/":           "",
		"etc/":           "",
		"etc/passwd":     "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n",
		"etc/group":      "root:x:0:\nnogroup:x:65534:\n",
		"etc/hostname":   "localhost\n",
		"tmp/":           "",
		"root/":          "",
		"usr/":           "",
		"usr/bin/":       "",
		"var/":           "",
		"proc/":          "",
		"dev/":           "",
		"sys/":           "",
		"home/":          "",
		"usr/local/":     "",
		"usr/local/bin/": "",
	}
}

// epoch keeps built images reproducible: the same files give the same
// digests.
var epoch = time.Unix(0, 0).UTC()

// Layer builds a layer tar from files: path → content, a trailing "/"
// makes a directory, content "->target" makes a symlink. Parents are
// added as directories when missing.
func Layer(files map[string]string) ([]byte, error) {
	entries := map[string]*tar.Header{}
	content := map[string]string{}
	for p, c := range files {
		isDir := strings.HasSuffix(p, "/")
		clean := strings.TrimPrefix(path.Clean("/"+p), "/")
		if clean == "" {
			continue
		}
		h := &tar.Header{Name: clean, ModTime: epoch, Mode: 0o644, Typeflag: tar.TypeReg, Format: tar.FormatPAX}
		switch {
		case isDir:
			h.Typeflag, h.Mode, h.Name = tar.TypeDir, 0o755, clean+"/"
		case strings.HasPrefix(c, "->"):
			h.Typeflag, h.Mode, h.Linkname = tar.TypeSymlink, 0o777, strings.TrimPrefix(c, "->")
		default:
			if strings.HasPrefix(clean, "bin/") || strings.Contains(clean, "/bin/") {
				h.Mode = 0o755
			}
			h.Size = int64(len(c))
			content[clean] = c
		}
		if clean == "tmp" {
			h.Mode = 0o1777
		}
		entries[clean] = h
		for dir := path.Dir(clean); dir != "."; dir = path.Dir(dir) {
			if _, ok := entries[dir]; !ok {
				entries[dir] = &tar.Header{Name: dir + "/", Typeflag: tar.TypeDir, Mode: 0o755, ModTime: epoch, Format: tar.FormatPAX}
			}
		}
	}
	names := make([]string, 0, len(entries))
	for n := range entries {
		names = append(names, n)
	}
	sort.Strings(names) // parents sort before their children
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, n := range names {
		if err := tw.WriteHeader(entries[n]); err != nil {
			return nil, err
		}
		if c, ok := content[n]; ok {
			if _, err := io.WriteString(tw, c); err != nil {
				return nil, err
			}
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// NewImage builds a linux/amd64 image with one layer per file map and
// the given config.
func NewImage(cfg v1.Config, layers ...map[string]string) (v1.Image, error) {
	img := empty.Image
	for i, files := range layers {
		b, err := Layer(files)
		if err != nil {
			return nil, fmt.Errorf("registrytest: layer %d: %w", i, err)
		}
		l, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) {
			return io.NopCloser(bytes.NewReader(b)), nil
		})
		if err != nil {
			return nil, fmt.Errorf("registrytest: layer %d: %w", i, err)
		}
		img, err = mutate.Append(img, mutate.Addendum{
			Layer:   l,
			History: v1.History{Created: v1.Time{Time: epoch}, CreatedBy: fmt.Sprintf("registrytest layer %d", i)},
		})
		if err != nil {
			return nil, fmt.Errorf("registrytest: %w", err)
		}
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, fmt.Errorf("registrytest: %w", err)
	}
	cf = cf.DeepCopy()
	cf.Architecture, cf.OS = "amd64", "linux"
	cf.Created = v1.Time{Time: epoch}
	cf.Config = cfg
	img, err = mutate.ConfigFile(img, cf)
	if err != nil {
		return nil, fmt.Errorf("registrytest: %w", err)
	}
	return img, nil
}

// Image builds a single-layer linux/amd64 image from files and cfg.
func Image(t testing.TB, files map[string]string, cfg v1.Config) v1.Image {
	t.Helper()
	img, err := NewImage(cfg, files)
	if err != nil {
		t.Fatal(err)
	}
	return img
}
