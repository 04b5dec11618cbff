package sandbox

import (
	"context"
	"errors"
	"io"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// key is one batch of keystrokes and what reading the terminal then gives.
type key struct {
	in    string
	echo  string   // all echo so far, once the keys are taken in
	reads []string // each read's bytes; "EOF" for an end of file
}

func TestTTYLineDiscipline(t *testing.T) {
	for _, tc := range []struct {
		name   string
		keys   []key
		signal []syscall.Signal
	}{
		{name: "enter ends a line", keys: []key{{in: "ls -l\r", echo: "ls -l\n", reads: []string{"ls -l\n"}}}},
		{name: "newline too", keys: []key{{in: "a\n", echo: "a\n", reads: []string{"a\n"}}}},
		{name: "one line per read", keys: []key{{in: "a\rb\r", echo: "a\nb\n", reads: []string{"a\n", "b\n"}}}},
		{name: "backspace", keys: []key{{in: "abx\x7fc\r", echo: "abx\b \bc\n", reads: []string{"abc\n"}}}},
		{name: "ctrl-h", keys: []key{{in: "ab\bc\r", echo: "ab\b \bc\n", reads: []string{"ac\n"}}}},
		{name: "erase at start does nothing", keys: []key{{in: "\x7fa\r", echo: "a\n", reads: []string{"a\n"}}}},
		{name: "erase multibyte", keys: []key{{in: "né\x7fo\r", echo: "né\b \bo\n", reads: []string{"no\n"}}}},
		{name: "erase control char", keys: []key{{in: "a\x1b\x7f\r", echo: "a^[\b \b\b \b\n", reads: []string{"a\n"}}}},
		{name: "kill line", keys: []key{{in: "abc\x15d\r", echo: "abc\b \b\b \b\b \bd\n", reads: []string{"d\n"}}}},
		{name: "erase word", keys: []key{{in: "a bc \x17d\r", echo: "a bc \b \b\b \b\b \bd\n", reads: []string{"a d\n"}}}},
		{name: "eof at start then more", keys: []key{{in: "\x04", reads: []string{"EOF"}}, {in: "x\r", echo: "x\n", reads: []string{"x\n"}}}},
		{name: "eof mid-line delivers the line", keys: []key{{in: "ab\x04", echo: "ab", reads: []string{"ab"}}, {in: "\x04", echo: "ab", reads: []string{"EOF"}}}},
		{name: "interrupt drops the line", keys: []key{{in: "abc\x03", echo: "abc^C\n"}, {in: "d\r", echo: "abc^C\nd\n", reads: []string{"d\n"}}},
			signal: []syscall.Signal{syscall.SIGINT}},
		{name: "quit", keys: []key{{in: "\x1c", echo: "^\\\n"}}, signal: []syscall.Signal{syscall.SIGQUIT}},
		{name: "interrupt drops unread lines", keys: []key{{in: "a\r\x03b\r", echo: "a\n^C\nb\n", reads: []string{"b\n"}}},
			signal: []syscall.Signal{syscall.SIGINT}},
		{name: "line length is bounded", keys: []key{{in: strings.Repeat("x", maxInput+5) + "\r", echo: strings.Repeat("x", maxInput) + "\n",
			reads: []string{strings.Repeat("x", maxInput) + "\n"}}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var echo syncBuffer
			var mu sync.Mutex
			var sigs []syscall.Signal
			in, w := io.Pipe()
			defer w.Close()
			line := newTTYLine(in, &echo, func(s syscall.Signal) {
				mu.Lock()
				sigs = append(sigs, s)
				mu.Unlock()
			})
			defer line.Close()
			for _, k := range tc.keys {
				w.Write([]byte(k.in))
				waitFor(t, func() bool { return echo.String() == k.echo }, echo.String)
				for _, want := range k.reads {
					buf := make([]byte, 2*maxInput)
					n, err := readTimeout(t, line, buf)
					got := string(buf[:n])
					if errors.Is(err, io.EOF) && n == 0 {
						got = "EOF"
					}
					if got != want {
						t.Fatalf("after %q read %q (%v), want %q", k.in, got, err, want)
					}
				}
			}
			mu.Lock()
			defer mu.Unlock()
			if len(sigs) != len(tc.signal) || len(sigs) > 0 && sigs[0] != tc.signal[0] {
				t.Fatalf("signals %v, want %v", sigs, tc.signal)
			}
		})
	}
}

func readTimeout(t *testing.T, line *ttyLine, buf []byte) (int, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	n, err := line.read(ctx, buf)
	if errors.Is(err, context.DeadlineExceeded) {
		t.Fatal("read did not return")
	}
	return n, err
}

func waitFor(t *testing.T, ok func() bool, got func() string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out; have %q", got())
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func TestTTYLineEndOfInput(t *testing.T) {
	line := newTTYLine(strings.NewReader("echo a\recho part"), io.Discard, func(syscall.Signal) {})
	var got []string
	buf := make([]byte, 100)
	for {
		n, err := readTimeout(t, line, buf)
		if n > 0 {
			got = append(got, string(buf[:n]))
		}
		if err != nil {
			break
		}
	}
	if strings.Join(got, "|") != "echo a\n|echo part" {
		t.Fatalf("reads %q", got)
	}
}

func TestTTYLineReadInterrupted(t *testing.T) {
	in, w := io.Pipe()
	defer w.Close()
	line := newTTYLine(in, io.Discard, func(syscall.Signal) {})
	errc := make(chan error, 1)
	go func() {
		_, err := line.read(context.Background(), make([]byte, 10))
		errc <- err
	}()
	time.Sleep(20 * time.Millisecond) // let the read wait
	w.Write([]byte{keyIntr})
	select {
	case err := <-errc:
		if !errors.Is(err, errInterrupted) {
			t.Fatalf("read returned %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("read not interrupted")
	}
	// A read that starts after the ^C is not interrupted by it.
	w.Write([]byte("x\r"))
	if n, err := readTimeout(t, line, make([]byte, 10)); n != 2 || err != nil {
		t.Fatalf("read after interrupt: %d %v", n, err)
	}
}

func TestExpandPrompt(t *testing.T) {
	pi := promptInfo{dir: "/root/src", home: "/root", user: "root", host: "box.example", root: true}
	for _, tc := range []struct{ ps, want string }{
		{`\w \$ `, "~/src # "},
		{`\u@\h:\W\$ `, "root@box:src# "},
		{`\H>`, "box.example>"},
		{`\[\e[1m\]$ \\`, "\x1b[1m$ \\"},
		{`plain\`, `plain\`},
	} {
		if got := expandPrompt(tc.ps, pi); got != tc.want {
			t.Errorf("%q: got %q, want %q", tc.ps, got, tc.want)
		}
	}
	for _, tc := range []struct{ dir, home, want string }{
		{"/", "/root", "/"}, {"/root", "/root", "~"}, {"/rootfs", "/root", "/rootfs"}, {"/x", "/", "/x"},
	} {
		if got := tildeDir(tc.dir, tc.home); got != tc.want {
			t.Errorf("tildeDir(%q, %q) = %q", tc.dir, tc.home, got)
		}
	}
}
