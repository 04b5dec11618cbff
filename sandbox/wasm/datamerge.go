package wasm

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
)

// Go's linker splits the module's data at every run of zeros: tens of
// thousands of data segments, each of which wazero decodes and copies
// on every instantiation, a quarter of a process's start. mergeData
// rewrites them as one segment spanning them all (the gaps as zeros):
// the file grows a little, and instantiation copies one block.

const (
	sectionData      = 11
	sectionDataCount = 12
	opI32Const       = 0x41
	opEnd            = 0x0b
	maxMergedSpan    = 64 << 20 // a larger span would cost more than it saves
)

// mergeData returns bin with its active data segments merged; a module
// whose segments are not all plain "memory 0 at a constant offset" is
// returned unchanged.
func mergeData(bin []byte) ([]byte, error) {
	if len(bin) < 8 || !bytes.Equal(bin[:4], []byte("\x00asm")) {
		return nil, errors.New("wasm: not a WebAssembly module")
	}
	out := append([]byte(nil), bin[:8]...)
	for rest := bin[8:]; len(rest) > 0; {
		id := rest[0]
		size, n := binary.Uvarint(rest[1:])
		if n <= 0 || uint64(len(rest)-1-n) < size {
			return nil, errors.New("wasm: truncated section")
		}
		body := rest[1+n : 1+n+int(size)]
		rest = rest[1+n+int(size):]
		switch id {
		case sectionData:
			merged, ok, err := mergeSegments(body)
			if err != nil {
				return nil, err
			}
			if !ok {
				return bin, nil
			}
			body = merged
		case sectionDataCount:
			body = binary.AppendUvarint(nil, 1)
		}
		out = append(out, id)
		out = binary.AppendUvarint(out, uint64(len(body)))
		out = append(out, body...)
	}
	return out, nil
}

// mergeSegments rewrites a data section's body as one segment.
func mergeSegments(body []byte) ([]byte, bool, error) {
	r := bytes.NewReader(body)
	count, err := binary.ReadUvarint(r)
	if err != nil {
		return nil, false, fmt.Errorf("wasm: data section: %w", err)
	}
	type segment struct {
		off  uint32
		data []byte
	}
	segs := make([]segment, 0, count)
	lo, hi := uint64(1<<32), uint64(0)
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
		if end, _ := r.ReadByte(); end != opEnd || off < 0 {
			return nil, false, nil
		}
		n, err := binary.ReadUvarint(r)
		if err != nil || n > uint64(r.Len()) {
			return nil, false, errors.New("wasm: truncated data segment")
		}
		data := body[len(body)-r.Len():][:n]
		r.Seek(int64(n), 1)
		segs = append(segs, segment{off: uint32(off), data: data})
		lo, hi = min(lo, uint64(off)), max(hi, uint64(off)+n)
	}
	if len(segs) < 2 || hi-lo > maxMergedSpan {
		return nil, false, nil
	}
	span := make([]byte, hi-lo)
	for _, s := range segs {
		copy(span[uint64(s.off)-lo:], s.data)
	}
	out := binary.AppendUvarint(nil, 1)
	out = append(out, 0, opI32Const)
	out = appendSLEB(out, int64(lo))
	out = append(out, opEnd)
	out = binary.AppendUvarint(out, uint64(len(span)))
	return append(out, span...), true, nil
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

// appendSLEB appends v as signed LEB128.
func appendSLEB(b []byte, v int64) []byte {
	for {
		c := byte(v & 0x7f)
		v >>= 7
		if (v == 0 && c&0x40 == 0) || (v == -1 && c&0x40 != 0) {
			return append(b, c)
		}
		b = append(b, c|0x80)
	}
}

// splitData takes a module's data out: it returns the module without
// data segments and the memory they would have filled, from address 0.
// Each process's memory then starts as that image (memory_*.go) rather
// than wazero copying the segments in. A module whose data is not one
// plain segment (mergeData's output) is returned whole, with no image.
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
			off, data, ok := oneSegment(body)
			if !ok {
				return bin, nil, nil
			}
			image = make([]byte, off+uint64(len(data)))
			copy(image[off:], data)
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

// oneSegment reads a data section holding one active segment at a
// constant offset.
func oneSegment(body []byte) (off uint64, data []byte, ok bool) {
	r := bytes.NewReader(body)
	if count, err := binary.ReadUvarint(r); err != nil || count != 1 {
		return 0, nil, false
	}
	if flags, err := binary.ReadUvarint(r); err != nil || flags != 0 {
		return 0, nil, false
	}
	if op, _ := r.ReadByte(); op != opI32Const {
		return 0, nil, false
	}
	o, err := readSLEB(r)
	if err != nil || o < 0 || o > maxMergedSpan {
		return 0, nil, false
	}
	if end, _ := r.ReadByte(); end != opEnd {
		return 0, nil, false
	}
	n, err := binary.ReadUvarint(r)
	if err != nil || n != uint64(r.Len()) {
		return 0, nil, false
	}
	return uint64(o), body[len(body)-r.Len():], true
}
