package streams

import (
	"errors"
	"io"
)

// errDetached ends an attachment's input once the client typed the
// detach sequence.
var errDetached = errors.New("read escape sequence")

// detachReader passes an attach client's input through until it holds
// keys, Docker's detach sequence: then it calls detach, which ends the
// attachment and leaves the container running, and reads no more. Bytes
// that begin the sequence are held back until it is clear they do not
// finish it, as dockerd does, so the container never sees the sequence.
type detachReader struct {
	r      io.Reader
	keys   []byte
	detach func()

	matched int    // how many of keys the latest input matched
	out     []byte // input to pass on
	err     error  // what ends the input once out is passed on
}

func (d *detachReader) Read(p []byte) (int, error) {
	for len(d.out) == 0 && d.err == nil {
		buf := make([]byte, len(p))
		n, err := d.r.Read(buf)
		d.scan(buf[:n])
		if err != nil && d.err == nil {
			d.err = err
		}
	}
	if len(d.out) > 0 {
		n := copy(p, d.out)
		d.out = d.out[n:]
		return n, nil
	}
	if d.err == errDetached {
		d.detach()
	}
	return 0, d.err
}

// scan moves input into out, holding back a partial sequence and
// stopping at a whole one.
func (d *detachReader) scan(in []byte) {
	for _, b := range in {
		if b == d.keys[d.matched] {
			d.matched++
			if d.matched == len(d.keys) {
				d.err = errDetached
				return
			}
			continue
		}
		d.out = append(d.out, d.keys[:d.matched]...)
		d.matched = 0
		if b == d.keys[0] {
			d.matched = 1
		} else {
			d.out = append(d.out, b)
		}
	}
}
