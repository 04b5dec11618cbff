package lambda

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// Lambda's limits on a directly uploaded package.
const (
	maxZipped   = 50 << 20
	maxUnzipped = 262144000
)

// checkZip rejects what Lambda rejects at upload: an unreadable archive or
// one too large.
func checkZip(b []byte) error {
	if len(b) > maxZipped {
		return &apiError{Status: 413, Code: "RequestEntityTooLargeException", Message: fmt.Sprintf("Request must be smaller than %d bytes for the CreateFunction operation", maxZipped)}
	}
	r, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		return invalidParam("Could not unzip uploaded file. Please check your file, then try to upload again.")
	}
	var total uint64
	for _, f := range r.File {
		total += f.UncompressedSize64
	}
	if total > maxUnzipped {
		return invalidParam("Unzipped size must be smaller than %d bytes", maxUnzipped)
	}
	return nil
}

// unpack extracts zipPath into dir (created here) so that a code version
// is unpacked once and shared by all its instances. It extracts into a
// sibling temporary directory and renames, so a crash never leaves a
// half-written task root behind.
func unpack(zipPath, dir string) error {
	if _, err := os.Stat(dir); err == nil {
		return nil
	}
	r, err := zip.OpenReader(zipPath)
	if err != nil {
		return err
	}
	defer r.Close()
	tmp, err := os.MkdirTemp(filepath.Dir(dir), ".unpack-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	for _, f := range r.File {
		if err := extract(f, tmp); err != nil {
			return err
		}
	}
	if err := os.Rename(tmp, dir); err != nil && !os.IsExist(err) {
		if _, serr := os.Stat(dir); serr == nil {
			return nil // another invocation unpacked it first
		}
		return err
	}
	return nil
}

func extract(f *zip.File, root string) error {
	name := filepath.Clean(filepath.FromSlash(f.Name))
	if filepath.IsAbs(name) || name == ".." || strings.HasPrefix(name, ".."+string(filepath.Separator)) {
		return fmt.Errorf("lambda: zip entry %q escapes the task root", f.Name)
	}
	dst := filepath.Join(root, name)
	if f.FileInfo().IsDir() {
		return os.MkdirAll(dst, 0o755)
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	mode := f.Mode().Perm()
	if mode == 0 {
		// Zips made without Unix attributes (e.g. on Windows) carry no
		// mode; Lambda's own packaging advice is 755 for executables.
		mode = 0o755
	}
	if f.Mode()&os.ModeSymlink != 0 {
		rc, err := f.Open()
		if err != nil {
			return err
		}
		target, err := io.ReadAll(io.LimitReader(rc, 4096))
		rc.Close()
		if err != nil {
			return err
		}
		return os.Symlink(string(target), dst)
	}
	rc, err := f.Open()
	if err != nil {
		return err
	}
	defer rc.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, mode)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, rc); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
