package wasm

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
)

// Go's linker splits the module's data at every run of zeros: tens of
// thousands of data segments, which wazero would decode and copy into
// every instance's memory, half of a process's start. splitData takes
// them out of the module into one memory image instead, and each
// process's memory starts as that image (memory_*.go).

const (
	sectionData      = 11
	sectionDataCount = 12
	opI32Const       = 0x41
	opEnd            = 0x0b
	maxImage         = 64 << 20 // data spread wider than this stays in the module
)

// splitData returns the module without its data segments and the memory
// they fill, from address 0. A module whose segments are not all plain
// "memory 0 at a constant offset" is returned whole, with no image.
func splitData(bin []byte) (stripped, image []byte, err error) {
	if len(bin) < 8 || !bytes.Equal(bin[:4], []byte("\x00asm")) {
		return nil, nil, errors.New("wasm: not a WebAssembly module")
	}
	out := append([]byte(nil), bin[:8]...)
	for rest := bin[8:]; len(rest) > 0; {
		id := rest[0]
		size, n := binary.Uvarint(rest[1:])
		if n <= 0 || uint64(len(rest)-1-n) < size {
			return nil, nil, errors.New("wasm: truncated section")
		}
		body := rest[1+n : 1+n+int(size)]
		rest = rest[1+n+int(size):]
		switch id {
		case sectionData:
			var ok bool
			if image, ok, err = dataImage(body); err != nil || !ok {
				return bin, nil, err
			}
			body = binary.AppendUvarint(nil, 0)
		case sectionDataCount:
			body = binary.AppendUvarint(nil, 0)
		}
		out = append(out, id)
		out = binary.AppendUvarint(out, uint64(len(body)))
		out = append(out, body...)
	}
	return out, image, nil
}

// dataImage lays a data section's segments out as memory from address
// 0, the gaps between them zeros.
func dataImage(body []byte) ([]byte, bool, error) {
	r := bytes.NewReader(body)
	count, err := binary.ReadUvarint(r)
	if err != nil {
		return nil, false, fmt.Errorf("wasm: data section: %w", err)
	}
	type segment struct {
		off  uint64
		data []byte
	}
	segs := make([]segment, 0, count)
	end := uint64(0)
	for range count {
		flags, err := binary.ReadUvarint(r)
		if err != nil || flags != 0 {
			return nil, false, err
		}
		if op, _ := r.ReadByte(); op != opI32Const {
			return nil, false, nil
		}
		off, err := readSLEB(r)
		if err != nil {
			return nil, false, fmt.Errorf("wasm: data offset: %w", err)
		}
		if op, _ := r.ReadByte(); op != opEnd || off < 0 {
			return nil, false, nil
		}
		n, err := binary.ReadUvarint(r)
		if err != nil || n > uint64(r.Len()) {
			return nil, false, errors.New("wasm: truncated data segment")
		}
		data := body[len(body)-r.Len():][:n]
		r.Seek(int64(n), 1)
		segs = append(segs, segment{off: uint64(off), data: data})
		end = max(end, uint64(off)+n)
	}
	if end > maxImage {
		return nil, false, nil
	}
	image := make([]byte, end)
	for _, s := range segs {
		copy(image[s.off:], s.data)
	}
	return image, true, nil
}

// readSLEB reads a signed LEB128 number, wasm's encoding of i32.const
// (Go's varint is zigzag, not this).
func readSLEB(r *bytes.Reader) (int64, error) {
	var v int64
	for shift := 0; shift < 64; shift += 7 {
		c, err := r.ReadByte()
		if err != nil {
			return 0, err
		}
		v |= int64(c&0x7f) << shift
		if c&0x80 == 0 {
			if shift+7 < 64 && c&0x40 != 0 {
				v |= -1 << (shift + 7)
			}
			return v, nil
		}
	}
	return 0, errors.New("wasm: LEB128 number too long")
}
