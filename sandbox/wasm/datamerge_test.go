package wasm

import (
	"bytes"
	"context"
	"encoding/binary"
	"testing"

	"github.com/tetratelabs/wazero"
)

// TestMergeDataKeepsMemory: a module with its data merged starts with
// byte-for-byte the same memory as the original, in one segment.
func TestMergeDataKeepsMemory(t *testing.T) {
	e, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	merged := e.binary
	// A hand-made module: memory 0 and three segments, one at an offset
	// whose LEB128 encoding has the sign bit pattern (0x40) set.
	orig := []byte("\x00asm\x01\x00\x00\x00" +
		"\x05\x03\x01\x00\x01" + // memory section: one memory, min 1 page
		"\x07\x0a\x01\x06memory\x02\x00" + // export it
		"\x0b\x17\x03" + // data section, 3 segments
		"\x00\x41\x08\x0b\x03abc" +
		"\x00\x41\xc0\x00\x0b\x02de" +
		"\x00\x41\x10\x0b\x01f")
	got, err := mergeData(orig)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(got, orig) {
		t.Fatal("segments not merged")
	}
	ctx := context.Background()
	memOf := func(bin []byte) []byte {
		rt := wazero.NewRuntime(ctx)
		defer rt.Close(ctx)
		m, err := rt.Instantiate(ctx, bin)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := m.Memory().Read(0, 128)
		return append([]byte(nil), b...)
	}
	if a, b := memOf(orig), memOf(got); !bytes.Equal(a, b) {
		t.Fatalf("memory differs:\n%q\n%q", a, b)
	}
	if count := segments(t, merged); count != 1 {
		t.Errorf("the built utility module has %d data segments, want 1", count)
	}
}

func segments(t *testing.T, bin []byte) int {
	t.Helper()
	for rest := bin[8:]; len(rest) > 0; {
		size, n := binary.Uvarint(rest[1:])
		if rest[0] == sectionData {
			c, _ := binary.Uvarint(rest[1+n:])
			return int(c)
		}
		rest = rest[1+n+int(size):]
	}
	return 0
}
