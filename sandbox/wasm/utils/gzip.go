package main

import (
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"strings"
)

func init() {
	register("gzip", gzipCmd)
	register("gunzip", gzipCmd)
	register("zcat", gzipCmd)
}

// gzipCmd is gzip, gunzip (-d) and zcat (-dc): -c to stdout, -k keeps
// the input, -f overwrites, -1..-9 the level, -t tests each file's
// integrity and writes nothing. Without files it filters stdin to stdout.
func gzipCmd(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	name := args[0]
	flags, files, _ := flagSet(args[1:], "")
	test := flags['t'] != nil
	decompress := test || flags['d'] != nil || name == "gunzip" || name == "zcat"
	toStdout := flags['c'] != nil || name == "zcat"
	level := gzip.DefaultCompression
	for l := byte('1'); l <= '9'; l++ {
		if flags[l] != nil {
			level = int(l - '0')
		}
	}
	convert := func(r io.Reader, w io.Writer) error {
		if decompress {
			zr, err := gzip.NewReader(r)
			if err != nil {
				return err
			}
			// Concatenated members decompress as one stream, as gzip does.
			_, err = io.Copy(w, zr)
			return err
		}
		zw, err := gzip.NewWriterLevel(w, level)
		if err != nil {
			return err
		}
		if _, err := io.Copy(zw, r); err != nil {
			return err
		}
		return zw.Close()
	}
	if len(files) == 0 {
		files = []string{"-"}
	}
	status := 0
	for _, f := range files {
		if f == "-" || toStdout || test {
			r, err := openArg(f, stdin)
			if err != nil {
				status = errorf(stderr, name, "%s: %s", f, errText(err))
				continue
			}
			w := stdout
			if test {
				w = io.Discard
			}
			err = convert(r, w)
			r.Close()
			if err != nil {
				status = errorf(stderr, name, "%s: %v", f, err)
			}
			continue
		}
		out := f + ".gz"
		if decompress {
			if !strings.HasSuffix(f, ".gz") {
				status = errorf(stderr, name, "%s: unknown suffix -- ignored", f)
				continue
			}
			out = strings.TrimSuffix(f, ".gz")
		}
		if err := convertFile(f, out, flags['f'] != nil, convert); err != nil {
			status = errorf(stderr, name, "%v", err)
			continue
		}
		if flags['k'] == nil {
			if err := os.Remove(f); err != nil {
				status = errorf(stderr, name, "%s: %s", f, errText(err))
			}
		}
	}
	return status
}

func convertFile(in, out string, force bool, convert func(io.Reader, io.Writer) error) error {
	r, err := os.Open(in)
	if err != nil {
		return fmt.Errorf("%s: %s", in, errText(err))
	}
	defer r.Close()
	flag := os.O_WRONLY | os.O_CREATE | os.O_EXCL
	if force {
		flag = os.O_WRONLY | os.O_CREATE | os.O_TRUNC
	}
	w, err := os.OpenFile(out, flag, 0o644)
	if err != nil {
		return fmt.Errorf("%s: %s", out, errText(err))
	}
	if err := convert(r, w); err != nil {
		w.Close()
		os.Remove(out)
		return fmt.Errorf("%s: %v", in, err)
	}
	return w.Close()
}
