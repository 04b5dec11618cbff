package streams

import (
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

// The detach sequence ends the input and never reaches the container;
// input that only begins it passes through whole.
func TestDetachReader(t *testing.T) {
	ctrlP, ctrlQ := "\x10", "\x11"
	for _, tc := range []struct {
		name     string
		in       string
		oneByte  bool // the client sends a byte at a time, as a terminal does
		want     string
		detached bool
	}{
		{"the sequence detaches", "ls\n" + ctrlP + ctrlQ + "after", false, "ls\n", true},
		{"typed a key at a time", "ls\n" + ctrlP + ctrlQ + "after", true, "ls\n", true},
		{"a lone first key passes on", "a" + ctrlP + "b", false, "a" + ctrlP + "b", false},
		{"a repeated first key still detaches", ctrlP + ctrlP + ctrlQ, true, ctrlP, true},
		{"input without it ends at EOF", "plain", false, "plain", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var src io.Reader = strings.NewReader(tc.in)
			if tc.oneByte {
				src = iotest.OneByteReader(src)
			}
			detached := false
			d := &detachReader{r: src, keys: []byte(ctrlP + ctrlQ), detach: func() { detached = true }}
			got, err := io.ReadAll(d)
			if tc.detached != errors.Is(err, errDetached) || detached != tc.detached || string(got) != tc.want {
				t.Errorf("read %q, err %v, detached %v; want %q, detached %v", got, err, detached, tc.want, tc.detached)
			}
		})
	}
}
