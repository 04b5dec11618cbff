package content

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sync"

	"github.com/google/go-containerregistry/pkg/authn"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/moby/moby/api/types/jsonstream"
	"golang.org/x/sync/errgroup"

	"github.com/sockerless/sockerless/functions/images/imageref"
)

// PullOptions tune Pull.
type PullOptions struct {
	// Platform is "os/arch[/variant]"; "" means linux/amd64.
	Platform string
	// Auth authenticates to the registry; nil means anonymous.
	Auth authn.Authenticator
}

// parallelDownloads matches dockerd's default max-concurrent-downloads.
const parallelDownloads = 3

// progressStep throttles "Downloading"/"Extracting" messages.
const progressStep = 512 << 10

// ParseReference, FamiliarName and FamiliarString are imageref's, kept
// here for the store's callers.
var (
	ParseReference = imageref.Parse
	FamiliarName   = imageref.FamiliarName
	FamiliarString = imageref.FamiliarString
)

func platformOf(s string) (v1.Platform, error) {
	if s == "" {
		return v1.Platform{OS: "linux", Architecture: "amd64"}, nil
	}
	p, err := v1.ParsePlatform(s)
	if err != nil {
		return v1.Platform{}, fmt.Errorf("invalid platform %q: %w", s, err)
	}
	return *p, nil
}

// Pull fetches ref from its registry, reporting progress the way dockerd
// does. Nothing is recorded unless every blob arrived and verified.
func (s *Store) Pull(ctx context.Context, ref string, opt PullOptions, progress func(jsonstream.Message)) (Image, error) {
	r, err := ParseReference(ref)
	if err != nil {
		return Image{}, err
	}
	plat, err := platformOf(opt.Platform)
	if err != nil {
		return Image{}, err
	}
	auth := opt.Auth
	if auth == nil {
		auth = authn.Anonymous
	}
	var mu sync.Mutex
	say := func(m jsonstream.Message) {
		if progress != nil {
			mu.Lock()
			defer mu.Unlock()
			progress(m)
		}
	}
	fail := func(err error) (Image, error) { return Image{}, imageref.PullError(r, err) }

	res, err := imageref.Resolve(r, say, remote.WithContext(ctx), remote.WithAuth(auth), remote.WithPlatform(plat), remote.WithUserAgent("sockerless"))
	if err != nil {
		return Image{}, err
	}
	desc, img, m, config := res.Desc, res.Image, res.Manifest, res.Config
	manifest, err := img.RawManifest()
	if err != nil {
		return fail(err)
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return fail(err)
	}
	if len(cf.RootFS.DiffIDs) != len(m.Layers) {
		return fail(fmt.Errorf("manifest has %d layers but config lists %d", len(m.Layers), len(cf.RootFS.DiffIDs)))
	}
	repoDigest := FamiliarName(r.Context()) + "@" + desc.Digest.String()
	cfgHash := res.ID

	if existing, err := s.Image(cfgHash.String()); err == nil && slices.Contains(existing.RepoDigests, repoDigest) {
		say(jsonstream.Message{Status: "Digest: " + desc.Digest.String()})
		say(jsonstream.Message{Status: "Status: Image is up to date for " + FamiliarString(r)})
		return existing, nil
	}

	tmp, err := s.tempDir()
	if err != nil {
		return Image{}, err
	}
	defer os.RemoveAll(tmp)

	layers := make([]stagedLayer, len(m.Layers))
	var missing []int
	for i, l := range m.Layers {
		id := short(l.Digest)
		if s.hasBlob(l.Digest) {
			say(jsonstream.Message{ID: id, Status: "Already exists"})
			layers[i] = stagedLayer{digest: l.Digest, size: l.Size, diffID: cf.RootFS.DiffIDs[i]}
			continue
		}
		say(jsonstream.Message{ID: id, Status: "Pulling fs layer"})
		missing = append(missing, i)
	}

	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(parallelDownloads)
	files := make([]string, len(m.Layers))
	for _, i := range missing {
		g.Go(func() error {
			f, err := s.download(gctx, img, m.Layers[i], tmp, say)
			files[i] = f
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return fail(err)
	}

	// Extract in order, as dockerd does: here that verifies each layer
	// against the config's diff IDs and measures it.
	for i, l := range m.Layers {
		id := short(l.Digest)
		if files[i] == "" {
			if layers[i].usize, err = s.blobUncompressedSize(l.Digest); err != nil {
				return fail(err)
			}
			continue
		}
		last := int64(0)
		st, err := stageFile(files[i], tmp, true, func(n int64) {
			if n-last >= progressStep || n == l.Size {
				last = n
				say(jsonstream.Message{ID: id, Status: "Extracting", Progress: &jsonstream.Progress{Current: n, Total: l.Size}})
			}
		})
		if err != nil {
			return fail(fmt.Errorf("layer %s: %w", l.Digest, err))
		}
		if st.digest != l.Digest {
			return fail(fmt.Errorf("layer %s: downloaded content has digest %s", l.Digest, st.digest))
		}
		if st.diffID != cf.RootFS.DiffIDs[i] {
			return fail(fmt.Errorf("layer %s: uncompressed digest %s does not match the config's %s", l.Digest, st.diffID, cf.RootFS.DiffIDs[i]))
		}
		st.mediaType = l.MediaType
		layers[i] = st
		say(jsonstream.Message{ID: id, Status: "Pull complete"})
	}

	out, _, err := s.commit(record{manifest: manifest, mediaType: m.MediaType, config: config, layers: layers, repoDigest: repoDigest})
	if err != nil {
		return Image{}, err
	}
	say(jsonstream.Message{Status: "Digest: " + desc.Digest.String()})
	say(jsonstream.Message{Status: "Status: Downloaded newer image for " + FamiliarString(r)})
	return out, nil
}

// download fetches one layer blob into dir, checking its digest.
func (s *Store) download(ctx context.Context, img v1.Image, d v1.Descriptor, dir string, say func(jsonstream.Message)) (string, error) {
	id := short(d.Digest)
	l, err := img.LayerByDigest(d.Digest)
	if err != nil {
		return "", fmt.Errorf("layer %s: %w", d.Digest, err)
	}
	rc, err := l.Compressed()
	if err != nil {
		return "", fmt.Errorf("layer %s: %w", d.Digest, err)
	}
	defer rc.Close()
	path := filepath.Join(dir, "download-"+d.Digest.Hex)
	f, err := os.Create(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	sum := newHashWriter()
	last := int64(0)
	in := &countingReader{r: rc, report: func(n int64) {
		if n-last >= progressStep || n == d.Size {
			last = n
			say(jsonstream.Message{ID: id, Status: "Downloading", Progress: &jsonstream.Progress{Current: n, Total: d.Size}})
		}
	}}
	if _, err := io.Copy(io.MultiWriter(f, sum), contextReader{ctx, in}); err != nil {
		return "", fmt.Errorf("layer %s: %w", d.Digest, err)
	}
	if err := f.Close(); err != nil {
		return "", err
	}
	say(jsonstream.Message{ID: id, Status: "Verifying Checksum"})
	if got := sum.hash(); got != d.Digest || sum.n != d.Size {
		return "", fmt.Errorf("layer %s: received %d bytes with digest %s, want %d bytes", d.Digest, sum.n, got, d.Size)
	}
	say(jsonstream.Message{ID: id, Status: "Download complete"})
	return path, nil
}

// blobUncompressedSize measures a layer already in the store.
func (s *Store) blobUncompressedSize(d v1.Hash) (int64, error) {
	f, err := os.Open(s.blobPath(d))
	if err != nil {
		return 0, err
	}
	defer f.Close()
	rc, _, err := decompress(f)
	if err != nil {
		return 0, err
	}
	defer rc.Close()
	return io.Copy(io.Discard, rc)
}

// contextReader stops a copy when ctx ends.
type contextReader struct {
	ctx context.Context
	r   io.Reader
}

func (c contextReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// short is the 12-hex layer ID docker prints.
func short(h v1.Hash) string {
	if len(h.Hex) < 12 {
		return h.Hex
	}
	return h.Hex[:12]
}
