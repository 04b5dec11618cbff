package archive

import (
	"bufio"
	"bytes"
	"compress/bzip2"
	"compress/gzip"
	"io"

	"github.com/ulikunitz/xz"
)

// Decompressed returns the tar stream inside r: r itself when it is a
// plain tar, else r read through the decompressor its magic bytes name.
// dockerd accepts these for PUT /containers/{id}/archive and detects them
// the same way (testcontainers sends gzip).
func Decompressed(r io.Reader) (io.Reader, error) {
	br := bufio.NewReader(r)
	head, _ := br.Peek(6)
	switch {
	case bytes.HasPrefix(head, []byte{0x1f, 0x8b, 0x08}):
		return gzip.NewReader(br)
	case bytes.HasPrefix(head, []byte("BZh")):
		return bzip2.NewReader(br), nil
	case bytes.HasPrefix(head, []byte{0xfd, '7', 'z', 'X', 'Z', 0x00}):
		return xz.NewReader(br)
	}
	return br, nil
}
