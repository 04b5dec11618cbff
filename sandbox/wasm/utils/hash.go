package main

import (
	"bufio"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"os"
	"strings"
)

func init() {
	for name, h := range map[string]func() hash.Hash{
		"md5sum": md5.New, "sha1sum": sha1.New, "sha256sum": sha256.New, "sha512sum": sha512.New,
	} {
		register(name, func(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
			return sum(h, args, stdin, stdout, stderr)
		})
	}
	register("base64", base64Cmd)
}

// sum prints "HEX  NAME" per file, or with -c checks such lines.
func sum(newHash func() hash.Hash, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	name := args[0]
	flags, files, _ := flagSet(args[1:], "")
	if len(files) == 0 {
		files = []string{"-"}
	}
	digest := func(f string) (string, error) {
		r, err := openArg(f, stdin)
		if err != nil {
			return "", err
		}
		defer r.Close()
		h := newHash()
		if _, err := io.Copy(h, r); err != nil {
			return "", err
		}
		return hex.EncodeToString(h.Sum(nil)), nil
	}
	status := 0
	if _, check := flags['c']; check {
		quiet, silent := flags['q'] != nil, flags['s'] != nil
		failed := 0
		for _, list := range files {
			r, err := openArg(list, stdin)
			if err != nil {
				status = errorf(stderr, name, "%s: %s", list, errText(err))
				continue
			}
			sc := bufio.NewScanner(r)
			for sc.Scan() {
				want, file, ok := strings.Cut(sc.Text(), " ")
				if !ok {
					continue
				}
				file = strings.TrimPrefix(strings.TrimPrefix(file, " "), "*")
				got, err := digest(file)
				switch {
				case err != nil:
					fmt.Fprintf(stderr, "%s: %s: %s\n", name, file, errText(err))
					fmt.Fprintf(stdout, "%s: FAILED open or read\n", file)
					failed++
				case !strings.EqualFold(got, want):
					if !silent {
						fmt.Fprintf(stdout, "%s: FAILED\n", file)
					}
					failed++
				case !quiet && !silent:
					fmt.Fprintf(stdout, "%s: OK\n", file)
				}
			}
			r.Close()
		}
		if failed > 0 {
			fmt.Fprintf(stderr, "%s: WARNING: %d computed checksum did NOT match\n", name, failed)
			return 1
		}
		return status
	}
	for _, f := range files {
		d, err := digest(f)
		if err != nil {
			status = errorf(stderr, name, "%s: %s", f, errText(err))
			continue
		}
		fmt.Fprintf(stdout, "%s  %s\n", d, f)
	}
	return status
}

// base64Cmd encodes (wrapping at 76 columns, -w COLS, 0 for none) or
// decodes with -d.
func base64Cmd(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	flags, files, bad := flagSet(args[1:], "w")
	if bad != 0 {
		return errorf(stderr, "base64", "option requires an argument -- '%c'", bad)
	}
	in := stdin
	if len(files) > 0 && files[0] != "-" {
		f, err := os.Open(files[0])
		if err != nil {
			return errorf(stderr, "base64", "%s: %s", files[0], errText(err))
		}
		defer f.Close()
		in = f
	}
	if flags['d'] != nil {
		data, err := io.ReadAll(in)
		if err != nil {
			return errorf(stderr, "base64", "%s", errText(err))
		}
		clean := strings.Map(func(r rune) rune {
			if r == '\n' || r == '\r' || r == ' ' || r == '\t' {
				return -1
			}
			return r
		}, string(data))
		out, err := base64.StdEncoding.DecodeString(clean)
		if err != nil {
			out, err = base64.RawStdEncoding.DecodeString(strings.TrimRight(clean, "="))
		}
		if err != nil {
			return errorf(stderr, "base64", "invalid input")
		}
		stdout.Write(out)
		return 0
	}
	width := 76
	if w := flags['w']; w != nil {
		if _, err := fmt.Sscan(w[len(w)-1], &width); err != nil || width < 0 {
			return errorf(stderr, "base64", "invalid wrap size: %s", w[len(w)-1])
		}
	}
	data, err := io.ReadAll(in)
	if err != nil {
		return errorf(stderr, "base64", "%s", errText(err))
	}
	enc := base64.StdEncoding.EncodeToString(data)
	for width > 0 && len(enc) > width {
		fmt.Fprintln(stdout, enc[:width])
		enc = enc[width:]
	}
	if enc != "" {
		fmt.Fprintln(stdout, enc)
	}
	return 0
}
