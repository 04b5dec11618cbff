package sandbox

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"
)

// writeLog keeps each write on its own, as an attach or exec stream
// frames them.
type writeLog struct {
	mu     sync.Mutex
	writes []string
}

func (w *writeLog) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.writes = append(w.writes, string(p))
	return len(p), nil
}

// echo writes its line in one write, as a real echo does, so a stream
// reader sees whole lines; its options and words print as before.
func TestEchoWritesItsLineAtOnce(t *testing.T) {
	for _, tc := range []struct {
		name   string
		script string
		want   []string
	}{
		{"words and newline in one write", `echo hello out`, []string{"hello out\n"}},
		{"-n leaves the newline out", `echo -n a  b`, []string{"a b"}},
		{"options stop at the first word", `echo -E -n -x -n`, []string{"-x -n"}},
		{"a quoted word keeps its spaces", `echo "a  b" c`, []string{"a  b c\n"}},
		{"no words is an empty line", `echo`, []string{"\n"}},
		{"-e still expands escapes", `echo -e 'a\tb'`, []string{"a\tb", "\n"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := &writeLog{}
			p, err := Start(context.Background(), Spec{Root: t.TempDir(), Args: sh(tc.script)}, Stdio{Stdout: out})
			if err != nil {
				t.Fatal(err)
			}
			select {
			case <-p.Done():
			case <-time.After(time.Until(hangAt(t))):
				p.Signal(9)
				t.Fatal("echo did not end")
			}
			if code := p.Wait(); code != 0 || !slices.Equal(out.writes, tc.want) {
				t.Errorf("exit %d, writes %q, want %q", code, out.writes, tc.want)
			}
		})
	}
}
