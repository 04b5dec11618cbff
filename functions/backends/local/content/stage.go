package content

import (
	"archive/tar"
	"bufio"
	"bytes"
	"compress/bzip2"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"github.com/klauspost/compress/zstd"
)

// stagedLayer is a verified layer blob waiting in a staging directory
// (file), or already in the store (file == "").
type stagedLayer struct {
	digest    v1.Hash
	size      int64
	diffID    v1.Hash
	usize     int64
	mediaType types.MediaType
	file      string
}

// compression of a stream, told by its first bytes.
type compression int

const (
	plain compression = iota
	gzipped
	zstded
	bzipped
	xzed
)

func sniff(br *bufio.Reader) compression {
	head, _ := br.Peek(6)
	switch {
	case bytes.HasPrefix(head, []byte{0x1f, 0x8b}):
		return gzipped
	case bytes.HasPrefix(head, []byte{0x28, 0xb5, 0x2f, 0xfd}):
		return zstded
	case bytes.HasPrefix(head, []byte("BZh")):
		return bzipped
	case bytes.HasPrefix(head, []byte{0xfd, '7', 'z', 'X', 'Z', 0x00}):
		return xzed
	}
	return plain
}

// decompress returns the uncompressed stream of r and what r was.
func decompress(r io.Reader) (io.ReadCloser, compression, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	c := sniff(br)
	switch c {
	case gzipped:
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, c, err
		}
		return zr, c, nil
	case zstded:
		zr, err := zstd.NewReader(br)
		if err != nil {
			return nil, c, err
		}
		return zr.IOReadCloser(), c, nil
	case bzipped:
		return io.NopCloser(bzip2.NewReader(br)), c, nil
	case xzed:
		return nil, c, errors.New("xz-compressed archives are not supported; use gzip, zstd, bzip2 or plain tar")
	}
	return io.NopCloser(br), c, nil
}

// hashWriter counts and hashes what passes through it.
type hashWriter struct {
	h interface {
		io.Writer
		Sum([]byte) []byte
	}
	n int64
}

func newHashWriter() *hashWriter { return &hashWriter{h: sha256.New()} }

func (w *hashWriter) Write(p []byte) (int, error) {
	w.n += int64(len(p))
	return w.h.Write(p)
}

func (w *hashWriter) hash() v1.Hash {
	return v1.Hash{Algorithm: "sha256", Hex: hex.EncodeToString(w.h.Sum(nil))}
}

// countingReader reports progress as bytes are read.
type countingReader struct {
	r      io.Reader
	n      int64
	report func(int64)
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	if c.report != nil && n > 0 {
		c.report(c.n)
	}
	return n, err
}

// readTar checks that r is a tar stream (validating every header) and
// consumes it to the end, so wrapping writers see every byte.
func readTar(r io.Reader) error {
	tr := tar.NewReader(r)
	for {
		_, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("not a valid tar archive: %w", err)
		}
	}
	_, err := io.Copy(io.Discard, r)
	return err
}

// stageFile verifies a layer file and prepares it as a blob: compressed
// files are kept as they are; a plain tar is gzipped into dir unless
// keepPlain (its digest is already fixed by a manifest). progress, when
// set, hears how many bytes of the file were read.
func stageFile(path, dir string, keepPlain bool, progress func(int64)) (stagedLayer, error) {
	f, err := os.Open(path)
	if err != nil {
		return stagedLayer{}, err
	}
	defer f.Close()

	digest := newHashWriter()
	in := &countingReader{r: io.TeeReader(f, digest), report: progress}
	rc, c, err := decompress(in)
	if err != nil {
		return stagedLayer{}, err
	}
	defer rc.Close()

	diff := newHashWriter()
	out := stagedLayer{file: path}
	var gz *gzip.Writer
	var gzFile *os.File
	var gzDigest *hashWriter
	sink := io.Writer(diff)
	switch c {
	case gzipped:
		out.mediaType = types.DockerLayer
	case zstded:
		out.mediaType = types.OCILayerZStd
	case plain:
		out.mediaType = types.DockerUncompressedLayer
		if keepPlain {
			break
		}
		fallthrough
	case bzipped:
		// Registries and docker load want gzip or zstd; store gzip.
		gzFile, err = os.CreateTemp(dir, "layer-*.tar.gz")
		if err != nil {
			return stagedLayer{}, err
		}
		defer gzFile.Close()
		gzDigest = newHashWriter()
		gz = gzip.NewWriter(io.MultiWriter(gzFile, gzDigest))
		sink = io.MultiWriter(diff, gz)
		out.mediaType, out.file = types.DockerLayer, gzFile.Name()
	}
	if err := readTar(io.TeeReader(rc, sink)); err != nil {
		return stagedLayer{}, err
	}
	out.diffID, out.usize = diff.hash(), diff.n
	if gz != nil {
		if err := gz.Close(); err != nil {
			return stagedLayer{}, err
		}
		if err := gzFile.Close(); err != nil {
			return stagedLayer{}, err
		}
		out.digest, out.size = gzDigest.hash(), gzDigest.n
		return out, nil
	}
	// Drain what follows the compressed stream so the digest covers
	// the whole file.
	if _, err := io.Copy(io.Discard, in); err != nil {
		return stagedLayer{}, err
	}
	out.digest, out.size = digest.hash(), digest.n
	return out, nil
}

// stageReader spools r into dir/name, then stages it as a layer: the
// tar a caller streams (import, commit) is read once and verified.
func stageReader(ctx context.Context, r io.Reader, dir, name string) (stagedLayer, error) {
	src := filepath.Join(dir, name)
	f, err := os.Create(src)
	if err != nil {
		return stagedLayer{}, err
	}
	_, err = io.Copy(f, contextReader{ctx, r})
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return stagedLayer{}, fmt.Errorf("reading the archive: %w", err)
	}
	return stageFile(src, dir, false, nil)
}
