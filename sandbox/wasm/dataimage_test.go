package wasm

import (
	"bytes"
	"context"
	"encoding/binary"
	"testing"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/experimental"
)

// TestSplitDataKeepsMemory: a module without its data segments, whose
// memory starts as their image, starts with byte-for-byte the memory the
// original has.
func TestSplitDataKeepsMemory(t *testing.T) {
	e, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	// A hand-made module: memory 0 and three segments, one at an offset
	// whose LEB128 encoding has the sign bit pattern (0x40) set.
	orig := []byte("\x00asm\x01\x00\x00\x00" +
		"\x05\x03\x01\x00\x01" + // memory section: one memory, min 1 page
		"\x07\x0a\x01\x06memory\x02\x00" + // export it
		"\x0b\x17\x03" + // data section, 3 segments
		"\x00\x41\x08\x0b\x03abc" +
		"\x00\x41\xc0\x00\x0b\x02de" +
		"\x00\x41\x10\x0b\x01f")
	ctx := context.Background()
	memOf := func(bin []byte, img *memoryImage) []byte {
		rt := wazero.NewRuntime(ctx)
		defer rt.Close(ctx)
		ictx := ctx
		if img != nil {
			ictx = experimental.WithMemoryAllocator(ctx, img.allocator())
		}
		m, err := rt.Instantiate(ictx, bin)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := m.Memory().Read(0, 128)
		return append([]byte(nil), b...)
	}
	want := memOf(orig, nil)
	stripped, image, err := splitData(orig)
	if err != nil || image == nil || segments(t, stripped) != 0 {
		t.Fatalf("split: err %v image %q", err, image)
	}
	img := newMemoryImage(image)
	defer img.close()
	if b := memOf(stripped, img); !bytes.Equal(want, b) {
		t.Fatalf("from the image: memory differs:\n%q\n%q", want, b)
	}
	if count := segments(t, e.binary); count != 0 || len(e.image.data) < 1<<20 {
		t.Errorf("the utility module kept %d data segments, image %d bytes", count, len(e.image.data))
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
