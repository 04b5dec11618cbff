// Command utils is the sandbox's multi-call utility program, compiled to
// WebAssembly (GOOS=wasip1 GOARCH=wasm) and run under wazero; it picks the
// utility from the base name of argv[0], like busybox. It uses only the
// standard library, and builds natively too so that it can be tested and
// vetted like any package.
//
// The working directory comes from $PWD: WASI has no chdir, and Go's
// wasip1 runtime starts relative paths from $PWD.
package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path"
	"sort"
	"strings"
)

// utility is one program: it returns its exit status.
type utility func(args []string, stdin io.Reader, stdout, stderr io.Writer) int

// utilities is every program the module holds. Names the sandbox already
// implements as Go built-ins are still here when the test suite or an
// embedder needs them under wasm (yes, true).
var utilities = map[string]utility{}

func register(name string, u utility) { utilities[name] = u }

func init() {
	register("true", func([]string, io.Reader, io.Writer, io.Writer) int { return 0 })
	register("yes", yes)
	register("utils", list)
}

func main() {
	name := "utils"
	if len(os.Args) > 0 {
		name = path.Base(os.Args[0])
	}
	u, ok := utilities[name]
	if !ok {
		fmt.Fprintf(os.Stderr, "%s: applet not found\n", name)
		os.Exit(127)
	}
	out := bufio.NewWriterSize(os.Stdout, 32<<10)
	code := u(os.Args, os.Stdin, out, os.Stderr)
	if err := out.Flush(); err != nil && code == 0 {
		code = 1
	}
	os.Exit(code)
}

// list prints the utility names, one a line, for the host to register.
func list(_ []string, _ io.Reader, stdout, _ io.Writer) int {
	names := make([]string, 0, len(utilities))
	for n := range utilities {
		if n != "utils" {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	fmt.Fprintln(stdout, strings.Join(names, "\n"))
	return 0
}

func yes(args []string, _ io.Reader, stdout, _ io.Writer) int {
	line := "y"
	if len(args) > 1 {
		line = strings.Join(args[1:], " ")
	}
	b := []byte(line + "\n")
	for {
		if _, err := stdout.Write(b); err != nil {
			return 1
		}
	}
}

// errorf prints "name: message" to stderr and returns 1.
func errorf(stderr io.Writer, name, format string, a ...any) int {
	fmt.Fprintf(stderr, "%s: %s\n", name, fmt.Sprintf(format, a...))
	return 1
}

// errText is an error without Go's "open NAME:" wrapping.
func errText(err error) string {
	if pe, ok := err.(*os.PathError); ok {
		s := pe.Err.Error()
		return strings.ToUpper(s[:1]) + s[1:]
	}
	return err.Error()
}

// openArg opens a file operand; "-" is stdin.
func openArg(name string, stdin io.Reader) (io.ReadCloser, error) {
	if name == "-" {
		return io.NopCloser(stdin), nil
	}
	return os.Open(name)
}

// flagSet splits leading single-letter flags ("-nE", "-i") from operands;
// letters in withArg take the rest of the word or the next word. "--"
// ends flags.
func flagSet(args []string, withArg string) (flags map[byte][]string, rest []string, bad byte) {
	flags = map[byte][]string{}
	i := 0
	for ; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			i++
			break
		}
		if len(a) < 2 || a[0] != '-' {
			break
		}
		for j := 1; j < len(a); j++ {
			c := a[j]
			if strings.IndexByte(withArg, c) >= 0 {
				v := a[j+1:]
				if v == "" {
					if i+1 >= len(args) {
						return nil, nil, c
					}
					i++
					v = args[i]
				}
				flags[c] = append(flags[c], v)
				break
			}
			flags[c] = append(flags[c], "")
		}
	}
	return flags, args[i:], 0
}
