package sandbox

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"slices"
	"strings"

	"github.com/sockerless/sockerless/sandbox/command"
)

// maxInterpreters bounds "#!" chains (a script whose interpreter is a script).
const maxInterpreters = 4

// dispatch finds what inv.Args[0] names and runs it. Registered commands
// answer to their base name wherever they are called from, like busybox
// links in every PATH directory; scripts run in the interpreter; native
// executables cannot run here.
func (s *system) dispatch(ctx context.Context, inv *command.Invocation, depth int) int {
	if inv.Stdin == nil {
		inv.Stdin = emptyReader
	}
	name := inv.Args[0]
	if internal, ok := strings.CutPrefix(name, "\x00"); ok {
		// Renamed by the shell's call handler; the command keeps its name.
		c, _ := s.reg.Lookup(name)
		sub := *inv
		sub.Args = append([]string{internal}, inv.Args[1:]...)
		return c.Run(ctx, &sub)
	}
	if !strings.Contains(name, "/") {
		if c, ok := s.reg.Lookup(name); ok {
			return c.Run(ctx, inv)
		}
		p, err := s.findInPath(name, inv.Env, inv.Dir)
		if err != nil {
			fmt.Fprintf(inv.Stderr, "sh: %s: not found\n", name)
			return 127
		}
		return s.runFile(ctx, inv, p, depth)
	}
	abs := inv.Abs(name)
	if head, err := s.fileHead(abs); err == nil && bytes.HasPrefix(head, []byte("#!")) {
		return s.runFile(ctx, inv, abs, depth)
	}
	if c, ok := s.reg.Lookup(path.Base(name)); ok && !strings.HasPrefix(path.Base(name), "\x00") {
		return c.Run(ctx, inv)
	}
	if _, err := s.fs.Stat(abs); err != nil {
		fmt.Fprintf(inv.Stderr, "sh: %s: not found\n", name)
		return 127
	}
	return s.runFile(ctx, inv, abs, depth)
}

// runFile runs the file at container path p as what it is: a "#!" script
// through its interpreter, a text file through sh (as POSIX shells do when
// exec fails with ENOEXEC), a native binary as the registered native
// program it is (see RegisterNative), and refuses other native binaries.
func (s *system) runFile(ctx context.Context, inv *command.Invocation, p string, depth int) int {
	fi, err := s.fs.Stat(p)
	if err != nil {
		fmt.Fprintf(inv.Stderr, "sh: %s: not found\n", inv.Args[0])
		return 127
	}
	if fi.IsDir() || fi.Mode()&0o111 == 0 {
		fmt.Fprintf(inv.Stderr, "sh: %s: Permission denied\n", inv.Args[0])
		return 126
	}
	head, err := s.fileHead(p)
	if err != nil {
		fmt.Fprintf(inv.Stderr, "sh: %s: %v\n", inv.Args[0], err)
		return 126
	}
	var args []string
	switch {
	case bytes.HasPrefix(head, []byte("#!")):
		args = append(shebang(head), p)
	case isBinary(head):
		if n, ok := nativeIn(s.fs, p, fi); ok {
			return s.runNative(ctx, inv, p, n)
		}
		fmt.Fprintf(inv.Stderr, "sockerless sandbox: cannot run %s: native executables are not supported by the sandbox runtime (it runs sh and built-in commands); use the engine runtime for real binaries\n", p)
		return 127
	default:
		args = []string{"sh", p}
	}
	if depth >= maxInterpreters || len(args) < 2 {
		fmt.Fprintf(inv.Stderr, "sh: %s: bad interpreter\n", inv.Args[0])
		return 126
	}
	sub := *inv
	sub.Args = append(args, inv.Args[1:]...)
	return s.dispatch(ctx, &sub, depth+1)
}

// shebang splits a "#!" line into the interpreter and its one optional
// argument, as the kernel does; "/usr/bin/env NAME" becomes NAME so that
// the lookup happens in the container.
func shebang(head []byte) []string {
	line, _, _ := bytes.Cut(head[2:], []byte("\n"))
	fields := strings.Fields(strings.TrimSpace(string(line)))
	if len(fields) == 0 {
		return nil
	}
	out := []string{fields[0]}
	if len(fields) > 1 {
		out = append(out, strings.Join(fields[1:], " "))
	}
	if path.Base(out[0]) == "env" && len(out) > 1 {
		out = strings.Fields(out[1])
	}
	return out
}

// isBinary reports an ELF or any file with NUL bytes in its first block.
func isBinary(head []byte) bool {
	return bytes.HasPrefix(head, []byte("\x7fELF")) || bytes.IndexByte(head, 0) >= 0
}

// fileHead reads the first block of a file.
func (s *system) fileHead(p string) ([]byte, error) {
	r, err := s.fs.Open(p)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	buf := make([]byte, 512)
	n, err := io.ReadFull(r, buf)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return nil, err
	}
	return buf[:n], nil
}

// findInPath searches PATH inside the container for an executable file.
func (s *system) findInPath(name string, env []string, dir string) (string, error) {
	for _, d := range strings.Split(pathOf(env), ":") {
		if d == "" {
			d = "."
		}
		if !path.IsAbs(d) {
			d = path.Join(dir, d)
		}
		p := path.Join(d, name)
		if fi, err := s.fs.Stat(p); err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0 {
			return p, nil
		}
	}
	return "", fs.ErrNotExist
}

func pathOf(env []string) string {
	for i := len(env) - 1; i >= 0; i-- {
		if v, ok := strings.CutPrefix(env[i], "PATH="); ok {
			return v
		}
	}
	return DefaultPath
}

// LookPath answers which and command -v: the image's file when there is
// one, else where a registered command answers (the first PATH entry).
func (s *system) LookPath(name string, env []string) (string, error) {
	if strings.Contains(name, "/") {
		if _, err := s.fs.Stat(path.Join("/", name)); err != nil {
			return "", err
		}
		return name, nil
	}
	if p, err := s.findInPath(name, env, "/"); err == nil {
		return p, nil
	}
	if _, ok := s.reg.Lookup(name); ok {
		dirs := strings.Split(pathOf(env), ":")
		dir := dirs[0]
		if slices.Contains(dirs, "/bin") {
			dir = "/bin" // where busybox images keep their links
		}
		return path.Join(dir, name), nil
	}
	return "", fs.ErrNotExist
}
