package harness

import (
	"archive/tar"
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"
)

// ImagePath is the PATH the test images set.
const ImagePath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

// Rootfs is the test image's filesystem as an uncompressed tar.
type Rootfs struct {
	Tar        string // path of the tar file
	HasBusybox bool   // false when busybox could not be found: only /etc files, no binaries
	Why        string // why HasBusybox is false
}

var rootfs struct {
	once sync.Once
	dir  string
	fs   Rootfs
	err  error
}

// BuildRootfs builds, once per process, the test rootfs: busybox-static's
// /bin/busybox with a symlink per applet, /etc/passwd, /etc/group,
// /etc/hostname, /tmp and /root. Without busybox it still builds the rest
// and says why in Rootfs.Why, so callers skip what needs real binaries.
func BuildRootfs() (Rootfs, error) {
	rootfs.once.Do(func() {
		dir, err := os.MkdirTemp("", "sockerless-e2e-rootfs-")
		if err != nil {
			rootfs.err = err
			return
		}
		rootfs.dir = dir
		bb, why := findBusybox()
		rootfs.fs = Rootfs{Tar: filepath.Join(dir, "rootfs.tar"), HasBusybox: bb != "", Why: why}
		rootfs.err = writeRootfs(rootfs.fs.Tar, bb)
	})
	return rootfs.fs, rootfs.err
}

// Cleanup removes what the harness built in temp dirs (binary, rootfs).
func Cleanup() {
	RemoveBuild()
	if rootfs.dir != "" {
		os.RemoveAll(rootfs.dir)
	}
}

// findBusybox returns the path of a static busybox binary: the installed
// busybox-static package's, else one extracted from `apt-get download
// busybox-static` into the user cache dir.
func findBusybox() (path, why string) {
	if out, err := exec.Command("dpkg-query", "-L", "busybox-static").Output(); err == nil {
		for _, f := range strings.Fields(string(out)) {
			if filepath.Base(f) == "busybox" {
				if st, err := os.Stat(f); err == nil && st.Mode().IsRegular() {
					return f, ""
				}
			}
		}
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		return "", "busybox-static not installed and no cache dir: " + err.Error()
	}
	dir := filepath.Join(cache, "sockerless", "busybox-static")
	bin := filepath.Join(dir, "root", "bin", "busybox")
	if _, err := os.Stat(bin); err == nil {
		return bin, ""
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err.Error()
	}
	dl := exec.Command("apt-get", "download", "busybox-static")
	dl.Dir = dir
	if out, err := dl.CombinedOutput(); err != nil {
		return "", fmt.Sprintf("busybox-static not installed and apt-get download failed: %v: %s", err, lastLines(string(out), 3))
	}
	debs, _ := filepath.Glob(filepath.Join(dir, "busybox-static_*.deb"))
	if len(debs) == 0 {
		return "", "apt-get download busybox-static left no .deb"
	}
	if out, err := exec.Command("dpkg-deb", "-x", debs[0], filepath.Join(dir, "root")).CombinedOutput(); err != nil {
		return "", fmt.Sprintf("dpkg-deb -x %s: %v: %s", debs[0], err, out)
	}
	if _, err := os.Stat(bin); err != nil {
		return "", "busybox-static .deb has no /bin/busybox"
	}
	return bin, ""
}

var rootfsFiles = map[string]string{
	"etc/passwd":   "root:x:0:0:root:/root:/bin/sh\ne2e:x:1000:1000:e2e:/home/e2e:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n",
	"etc/group":    "root:x:0:\ne2e:x:1000:\nnogroup:x:65534:\n",
	"etc/hostname": "sockerless-e2e\n",
}

// writeRootfs writes the tar. Entries are sorted and dated at a fixed time so
// every run produces the same bytes (and the same layer digest).
func writeRootfs(path, busybox string) error {
	var applets []string
	if busybox != "" {
		out, err := exec.Command(busybox, "--list").Output()
		if err != nil {
			return fmt.Errorf("%s --list: %v", busybox, err)
		}
		applets = strings.Fields(string(out))
		sort.Strings(applets)
	}
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	mtime := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	dir := func(name string, mode int64) error {
		return tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: name + "/", Mode: mode, ModTime: mtime, Format: tar.FormatPAX})
	}
	file := func(name string, mode int64, data []byte) error {
		if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: name, Mode: mode, Size: int64(len(data)), ModTime: mtime, Format: tar.FormatPAX}); err != nil {
			return err
		}
		_, err := tw.Write(data)
		return err
	}
	for _, d := range []struct {
		name string
		mode int64
	}{{"bin", 0o755}, {"etc", 0o755}, {"home", 0o755}, {"root", 0o700}, {"tmp", 0o1777}, {"usr", 0o755}, {"usr/bin", 0o755}, {"var", 0o755}} {
		if err := dir(d.name, d.mode); err != nil {
			return err
		}
	}
	names := make([]string, 0, len(rootfsFiles))
	for n := range rootfsFiles {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if err := file(n, 0o644, []byte(rootfsFiles[n])); err != nil {
			return err
		}
	}
	if busybox != "" {
		data, err := os.ReadFile(busybox)
		if err != nil {
			return err
		}
		if err := file("bin/busybox", 0o755, data); err != nil {
			return err
		}
		for _, a := range applets {
			if a == "busybox" || strings.Contains(a, "/") {
				continue
			}
			if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeSymlink, Name: "bin/" + a, Linkname: "busybox", Mode: 0o777, ModTime: mtime, Format: tar.FormatPAX}); err != nil {
				return err
			}
		}
	}
	if err := tw.Close(); err != nil {
		return err
	}
	return os.WriteFile(path, buf.Bytes(), 0o644)
}

// ImportImage imports the test rootfs into engine e as name with
// CMD ["sh"] and ENV PATH, the same way on every engine.
func ImportImage(e *Engine, name string) error {
	fs, err := BuildRootfs()
	if err != nil {
		return err
	}
	r := e.DockerWith(RunOpts{Timeout: 2 * time.Minute}, "import",
		"--change", `CMD ["sh"]`,
		"--change", "ENV PATH="+ImagePath,
		fs.Tar, name)
	if r.Code != 0 {
		return errors.New("docker import on " + e.Name + ": " + strings.TrimSpace(r.Stderr))
	}
	return nil
}
