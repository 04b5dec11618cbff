// Command utils is the sandbox's multi-call utility program, compiled to
// WebAssembly (GOOS=wasip1 GOARCH=wasm) and run under wazero; it picks the
// utility from the base name of argv[0], like busybox. It uses only the
// standard library, and builds natively too so that it can be tested and
// vetted like any package.
//
// The working directory comes from the host (sysinfo): WASI has none,
// and Go's wasip1 runtime resolves relative paths from its own.
package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path"
	"runtime/debug"
	"sort"
	"strings"

	"github.com/sockerless/sockerless/sandbox/coreutils"
	"github.com/sockerless/sockerless/sandbox/wasm/abi"
)

// utility is one program: it returns its exit status.
type utility func(args []string, stdin io.Reader, stdout, stderr io.Writer) int

// utilities is every program the module holds: those of this package
// and, through coreutils.go, those of sandbox/coreutils.
var utilities = map[string]utility{}

func register(name string, u utility) {
	if _, dup := utilities[name]; dup {
		panic("utility registered twice: " + name)
	}
	utilities[name] = u
}

func init() { register("utils", list) }

func main() {
	// The collector works harder as the heap nears what the host
	// allows, rather than growing into the limit.
	if h := heapLimit(); h > 0 {
		debug.SetMemoryLimit(h - h/8)
	}
	// WASI has no working directory; the host says where to start.
	if d := info()[abi.InfoDir]; d != "" {
		os.Chdir(d)
	}
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
	code := u(os.Args, flushingReader{r: os.Stdin, w: out}, out, os.Stderr)
	if err := out.Flush(); err != nil && code == 0 {
		code = 1
	}
	os.Exit(code)
}

// steps counts the interpreters' steps (awk's loop iterations and
// calls, sed's commands) for tick.
var steps uint32

// tick is called at every step that can repeat without reading, writing
// or allocating, and lets the host stop the process every few thousand:
// the host can only end a module when it calls in.
func tick() {
	if steps++; steps%4096 == 0 {
		hostAlive()
	}
}

// flushingReader flushes the buffered stdout before each read of stdin,
// which may block: a utility reading input as it comes (cat, grep in a
// pipeline fed slowly, a terminal) shows its output as it goes, while a
// batch one still writes in large blocks.
type flushingReader struct {
	r io.Reader
	w *bufio.Writer
}

func (f flushingReader) Read(p []byte) (int, error) {
	if f.w.Buffered() > 0 {
		if err := f.w.Flush(); err != nil {
			return 0, err
		}
	}
	return f.r.Read(p)
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

// flagSet splits single-letter flags ("-nE", "-i") from operands as
// busybox's getopt does, wherever they stand ("--" ends them): the same
// parser as sandbox/coreutils'. Letters in withArg take the rest of the
// word or the next word; bad is one left without it.
func flagSet(args []string, withArg string) (flags map[byte][]string, rest []string, bad byte) {
	return coreutils.ParseFlags(args, withArg, true)
}

// leadingFlagSet is flagSet for a utility whose operands are a command
// (xargs): flags end at the first operand.
func leadingFlagSet(args []string, withArg string) (flags map[byte][]string, rest []string, bad byte) {
	return coreutils.ParseFlags(args, withArg, false)
}
