package archive

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/sockerless/sockerless/agent/proto"
)

// TestExtractReadsEveryCompressionDockerdDoes: PUT /containers/{id}/archive
// takes plain, gzip, bzip2 and xz tars (testcontainers sends gzip); the
// fixtures were made by the tar, gzip, bzip2 and xz commands.
func TestExtractReadsEveryCompressionDockerdDoes(t *testing.T) {
	for _, name := range []string{"hello.tar", "hello.tar.gz", "hello.tar.bz2", "hello.tar.xz"} {
		t.Run(name, func(t *testing.T) {
			f, err := os.Open(filepath.Join("testdata", name))
			must(t, err)
			defer f.Close()
			dst := t.TempDir()
			must(t, Extract(f, OS{}, dst, false))
			got, err := os.ReadFile(filepath.Join(dst, "hello.txt"))
			if err != nil || string(got) != "hello\n" {
				t.Fatalf("hello.txt = %q, %v", got, err)
			}
		})
	}
}

func TestExtractRejectsACutCompressedArchive(t *testing.T) {
	for _, name := range []string{"hello.tar.gz", "hello.tar.bz2", "hello.tar.xz"} {
		t.Run(name, func(t *testing.T) {
			b, err := os.ReadFile(filepath.Join("testdata", name))
			must(t, err)
			err = Extract(bytes.NewReader(b[:len(b)/2]), OS{}, t.TempDir(), false)
			if !errors.Is(err, proto.ErrInvalid) {
				t.Fatalf("a cut %s: got %v, want an invalid-archive error", name, err)
			}
		})
	}
}
