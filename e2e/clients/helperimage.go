package clients

import (
	"archive/tar"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/sockerless/sockerless/e2e/harness"
)

// HelperImage is the image the suite gives gitlab-ci-local as its helper
// image: what its default one (firecow/gitlab-ci-local-util) holds, bash
// and rsync, over the busybox test image. Both come from this machine,
// with the shared libraries they load.
const HelperImage = "sockerless-e2e/gcl-util:1"

// helperPrograms are the host programs the helper image adds.
var helperPrograms = []string{"bash", "rsync"}

// ImportHelperImage imports HelperImage into e.
func ImportHelperImage(e *harness.Engine) error {
	tarPath, err := helperRootfs()
	if err != nil {
		return err
	}
	r := e.DockerWith(harness.RunOpts{Timeout: 2 * time.Minute}, "import",
		"--change", `CMD ["sh"]`, "--change", "ENV PATH="+harness.ImagePath, tarPath, HelperImage)
	if r.Code != 0 {
		return fmt.Errorf("docker import %s on %s: %s", HelperImage, e.Name, strings.TrimSpace(r.Stderr))
	}
	return nil
}

// helperRootfs writes, next to the test rootfs, the test rootfs with the
// helper programs and their libraries added, and returns its path.
func helperRootfs() (string, error) {
	fs, err := harness.BuildRootfs()
	if err != nil {
		return "", err
	}
	if !fs.HasBusybox {
		return "", errors.New("the test image has no binaries: " + fs.Why)
	}
	files := map[string]string{} // image path → host file
	for _, p := range helperPrograms {
		host, err := exec.LookPath(p)
		if err != nil {
			return "", fmt.Errorf("the helper image needs %s from this machine: %v", p, err)
		}
		files["bin/"+p] = host
		libs, err := sharedLibs(host)
		if err != nil {
			return "", err
		}
		for _, l := range libs {
			files[strings.TrimPrefix(l, "/")] = l
		}
	}
	base, err := os.ReadFile(fs.Tar)
	if err != nil {
		return "", err
	}
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	tr := tar.NewReader(bytes.NewReader(base))
	dirs := map[string]bool{}
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return "", err
		}
		if h.Typeflag == tar.TypeDir {
			dirs[strings.TrimSuffix(h.Name, "/")] = true
		}
		if err := tw.WriteHeader(h); err != nil {
			return "", err
		}
		if _, err := io.Copy(tw, tr); err != nil {
			return "", err
		}
	}
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	mtime := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, n := range names {
		for _, p := range parents(path.Dir(n)) {
			if !dirs[p] {
				dirs[p] = true
				if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: p + "/", Mode: 0o755, ModTime: mtime, Format: tar.FormatPAX}); err != nil {
					return "", err
				}
			}
		}
		data, err := os.ReadFile(files[n])
		if err != nil {
			return "", err
		}
		if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: n, Mode: 0o755, Size: int64(len(data)), ModTime: mtime, Format: tar.FormatPAX}); err != nil {
			return "", err
		}
		if _, err := tw.Write(data); err != nil {
			return "", err
		}
	}
	if err := tw.Close(); err != nil {
		return "", err
	}
	out := filepath.Join(filepath.Dir(fs.Tar), "gcl-util.tar")
	return out, os.WriteFile(out, buf.Bytes(), 0o644)
}

// parents lists d's ancestors and d, outermost first.
func parents(d string) []string {
	var out []string
	for ; d != "." && d != "/"; d = path.Dir(d) {
		out = append([]string{d}, out...)
	}
	return out
}

// sharedLibs lists the libraries (the loader included) ldd says bin loads.
func sharedLibs(bin string) ([]string, error) {
	out, err := exec.Command("ldd", bin).Output()
	if err != nil {
		return nil, fmt.Errorf("ldd %s: %v", bin, err)
	}
	var libs []string
	for _, l := range strings.Split(string(out), "\n") {
		for _, f := range strings.Fields(l) {
			if strings.HasPrefix(f, "/") {
				libs = append(libs, f)
			}
		}
	}
	return libs, nil
}

// HelperOCIImage is HelperImage as an image to push to a registry, for
// engines whose images come from one (the cloud backends cannot import).
func HelperOCIImage() (v1.Image, error) {
	tarPath, err := helperRootfs()
	if err != nil {
		return nil, err
	}
	return rootfsImage(tarPath)
}

// TestOCIImage is TestImage as an image to push to a registry: the
// test rootfs with the config ImportImage gives it.
func TestOCIImage() (v1.Image, error) {
	fs, err := harness.BuildRootfs()
	if err != nil {
		return nil, err
	}
	return rootfsImage(fs.Tar)
}

// rootfsImage is the rootfs tarPath as one layer, configured as
// `docker import --change 'CMD ["sh"]' --change ENV PATH=…` makes it.
func rootfsImage(tarPath string) (v1.Image, error) {
	return harness.RootfsImage(tarPath, v1.Config{Cmd: []string{"sh"}, Env: []string{"PATH=" + harness.ImagePath}})
}
