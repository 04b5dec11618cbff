package coreutils

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/sockerless/sockerless/sandbox/command"
)

// numShorthand turns the historical "-5" / "+5" into "-n 5" / "-n +5".
var numShorthand = regexp.MustCompile(`^[-+][0-9]+$`)

func countArgs(args []string) []string {
	if len(args) > 0 && numShorthand.MatchString(args[0]) {
		n := args[0]
		if n[0] == '-' {
			n = n[1:]
		}
		return append([]string{"-n", n}, args[1:]...)
	}
	return args
}

// head [-n N] [-c N] [FILE]...
func head(ctx context.Context, inv *command.Invocation) int {
	o, err := parseOpts(countArgs(inv.Args[1:]), "nc", map[string]byte{"lines": 'n', "bytes": 'c'})
	if err != nil {
		return usage(inv, err)
	}
	n, bytes := 10, false
	if v, ok := o.val['c']; ok {
		bytes = true
		n, err = strconv.Atoi(v)
	} else if v, ok := o.val['n']; ok {
		n, err = strconv.Atoi(v)
	}
	if err != nil || n < 0 {
		return inv.Errorf("invalid number '%s'", o.val['n']+o.val['c'])
	}
	many := len(o.args) > 1
	first := true
	return eachInput(inv, o.args, func(name string, r io.Reader) error {
		if many {
			if !first {
				fmt.Fprintln(inv.Stdout)
			}
			fmt.Fprintf(inv.Stdout, "==> %s <==\n", name)
		}
		first = false
		if bytes {
			_, err := io.Copy(inv.Stdout, io.LimitReader(ctxReader{ctx, r}, int64(n)))
			return err
		}
		left := n
		if left == 0 {
			return nil
		}
		err := eachLine(ctx, r, func(s string) error {
			if _, err := io.WriteString(inv.Stdout, s); err != nil {
				return err
			}
			if left--; left == 0 {
				return io.EOF
			}
			return nil
		})
		if err == io.EOF {
			return nil
		}
		return err
	})
}

// tail [-n [+]N] [-c [+]N] [-qv] [-f|-F [-s SECONDS]] [FILE]...
// With -f it then prints what is appended to the files until it is
// stopped, as busybox does; -F also reopens a file that is replaced or
// appears later (follow.go).
func tail(ctx context.Context, inv *command.Invocation) int {
	o, err := parseOpts(countArgs(inv.Args[1:]), "ncs", map[string]byte{"lines": 'n', "bytes": 'c'})
	if err != nil {
		return usage(inv, err)
	}
	spec, bytes := "10", false
	if v, ok := o.val['c']; ok {
		spec, bytes = v, true
	} else if v, ok := o.val['n']; ok {
		spec = v
	}
	fromStart := strings.HasPrefix(spec, "+")
	n, err := strconv.Atoi(strings.TrimPrefix(spec, "+"))
	if err != nil || n < 0 {
		return inv.Errorf("invalid number '%s'", spec)
	}
	f := follower{ctx: ctx, inv: inv, retry: o.has('F'), interval: time.Second}
	if v, ok := o.val['s']; ok {
		secs, err := strconv.ParseFloat(v, 64)
		if err != nil || secs < 0 {
			return inv.Errorf("invalid number '%s'", v)
		}
		f.interval = time.Duration(secs * float64(time.Second))
	}
	follow := o.has('f') || o.has('F')
	names := o.args
	if len(names) == 0 {
		names = []string{"-"}
	}
	f.headers = !o.has('q') && (o.has('v') || len(names) > 1)
	status := 0
	for _, name := range names {
		r, err := openInput(inv, name)
		if err != nil {
			fmt.Fprintf(inv.Stderr, "tail: can't open '%s': %s\n", name, errText(err))
			status = 1
			if f.retry && name != "-" {
				f.files = append(f.files, &followed{name: name})
			}
			continue
		}
		data, err := readAllLimited(ctx, r)
		if errors.Is(err, command.ErrNoMemory) {
			r.Close()
			fmt.Fprintf(inv.Stderr, "tail: out of memory\n")
			return 1
		}
		if err != nil {
			r.Close()
			fmt.Fprintf(inv.Stderr, "tail: %s: %s\n", name, errText(err))
			status = 1
			continue
		}
		out := tailLines(data, n, fromStart)
		if bytes {
			out = tailBytes(data, n, fromStart)
		}
		if err := f.print(name, out); err != nil {
			r.Close()
			return inv.Errorf("%s", errText(err))
		}
		// Like busybox, stdin is read to its end and not followed.
		if !follow || name == "-" {
			r.Close()
			continue
		}
		f.files = append(f.files, &followed{name: name, r: r, off: int64(len(data)), ino: f.ino(name)})
	}
	if !follow {
		return status
	}
	if len(f.files) == 0 {
		if len(o.args) == 0 || status == 0 {
			return status // only stdin, which is not followed
		}
		fmt.Fprintln(inv.Stderr, "tail: no files")
		return 1
	}
	return f.run()
}

// readAllLimited reads r to its end, failing with command.ErrNoMemory
// past what the process may buffer, growth copies included.
func readAllLimited(ctx context.Context, r io.Reader) ([]byte, error) {
	limit := command.MemoryLimit(ctx)
	var data []byte
	chunk := make([]byte, 32<<10)
	for {
		n, err := ctxReader{ctx, r}.Read(chunk)
		var gerr error
		if data, gerr = appendLimited(data, chunk[:n], limit); gerr != nil {
			return nil, gerr
		}
		if err == io.EOF {
			return data, nil
		}
		if err != nil {
			return nil, err
		}
	}
}

func tailBytes(data []byte, n int, fromStart bool) []byte {
	if fromStart {
		return data[min(max(n-1, 0), len(data)):]
	}
	return data[max(len(data)-n, 0):]
}

// tailLines finds its lines in place: a slice of every line's start
// would be more memory than the limit charged for data.
func tailLines(data []byte, n int, fromStart bool) []byte {
	if fromStart {
		i := 0
		for k := 1; k < n; k++ {
			j := bytes.IndexByte(data[i:], '\n')
			if j < 0 || i+j+1 >= len(data) {
				return nil
			}
			i += j + 1
		}
		return data[i:]
	}
	if n == 0 {
		return nil
	}
	e := len(data)
	if e > 0 && data[e-1] == '\n' {
		e--
	}
	for k := 0; k < n; k++ {
		if e = bytes.LastIndexByte(data[:e], '\n'); e < 0 {
			return data
		}
	}
	return data[e+1:]
}

// tee [-a] [FILE]...
func tee(ctx context.Context, inv *command.Invocation) int {
	o, err := parseOpts(inv.Args[1:], "", map[string]byte{"append": 'a'})
	if err != nil {
		return usage(inv, err)
	}
	flag := os.O_WRONLY | os.O_CREATE | os.O_TRUNC
	if o.has('a') {
		flag = os.O_WRONLY | os.O_CREATE | os.O_APPEND
	}
	writers := []io.Writer{inv.Stdout}
	status := 0
	for _, name := range o.args {
		f, err := inv.FS.OpenFile(inv.Abs(name), flag, 0o644)
		if err != nil {
			fmt.Fprintf(inv.Stderr, "tee: %s: %s\n", name, errText(err))
			status = 1
			continue
		}
		defer f.Close()
		writers = append(writers, f)
	}
	if _, err := io.Copy(io.MultiWriter(writers...), ctxReader{ctx, inv.Stdin}); err != nil && ctx.Err() == nil {
		return inv.Errorf("%s", errText(err))
	}
	return status
}
