package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// chmod and stat are not here: WASI preview 1 has no permission bits
// (Go's wasip1 os.Chmod only stats, and stat reports synthetic modes),
// so they could not be right under wazero.
func init() {
	register("rmdir", rmdir)
	register("readlink", readlink)
	register("realpath", realpath)
}

// rmdir removes empty directories; -p also removes emptied parents.
func rmdir(args []string, _ io.Reader, _, stderr io.Writer) int {
	flags, dirs, _ := flagSet(args[1:], "")
	if len(dirs) == 0 {
		return errorf(stderr, "rmdir", "missing operand")
	}
	status := 0
	for _, d := range dirs {
		for {
			if err := syscallRmdir(d); err != nil {
				status = errorf(stderr, "rmdir", "'%s': %s", d, errText(err))
				break
			}
			if flags['p'] == nil {
				break
			}
			if d = filepath.Dir(d); d == "." || d == "/" {
				break
			}
		}
	}
	return status
}

// syscallRmdir removes only a directory, as rmdir(2) does: os.Remove
// would remove a file too.
func syscallRmdir(d string) error {
	fi, err := os.Lstat(d)
	if err != nil {
		return err
	}
	if !fi.IsDir() {
		return &os.PathError{Op: "rmdir", Path: d, Err: fmt.Errorf("not a directory")}
	}
	return os.Remove(d)
}

// readlink prints a link's target; -f canonicalizes (all but the last
// component must exist), -e needs every component, -n drops the newline.
func readlink(args []string, _ io.Reader, stdout, stderr io.Writer) int {
	flags, files, _ := flagSet(args[1:], "")
	if len(files) == 0 {
		return errorf(stderr, "readlink", "missing operand")
	}
	nl := "\n"
	if flags['n'] != nil {
		nl = ""
	}
	status := 0
	for _, f := range files {
		var out string
		var err error
		switch {
		case flags['f'] != nil:
			out, err = canonical(f, false)
		case flags['e'] != nil:
			out, err = canonical(f, true)
		default:
			out, err = os.Readlink(f)
		}
		if err != nil {
			status = 1
			if flags['v'] != nil {
				errorf(stderr, "readlink", "%s: %s", f, errText(err))
			}
			continue
		}
		fmt.Fprint(stdout, out+nl)
	}
	return status
}

// realpath prints canonical absolute paths; -m allows missing parts is
// not supported, -e requires existence (the default here too).
func realpath(args []string, _ io.Reader, stdout, stderr io.Writer) int {
	_, files, _ := flagSet(args[1:], "")
	if len(files) == 0 {
		return errorf(stderr, "realpath", "missing operand")
	}
	status := 0
	for _, f := range files {
		out, err := canonical(f, false)
		if err != nil {
			status = errorf(stderr, "realpath", "%s: %s", f, errText(err))
			continue
		}
		fmt.Fprintln(stdout, out)
	}
	return status
}

// canonical resolves every symlink in p; the last component may be
// missing unless mustExist.
func canonical(p string, mustExist bool) (string, error) {
	abs, err := filepath.Abs(p)
	if err != nil {
		return "", err
	}
	if r, err := filepath.EvalSymlinks(abs); err == nil {
		return r, nil
	} else if mustExist {
		return "", err
	}
	dir, err := filepath.EvalSymlinks(filepath.Dir(abs))
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, filepath.Base(abs)), nil
}
