package content

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// Import makes a single-layer image from a root filesystem tar (plain,
// gzip, bzip2 or zstd), like `docker import`. changes are Dockerfile
// instructions applied to the config; platform is "os/arch[/variant]"
// ("" means linux/amd64).
func (s *Store) Import(ctx context.Context, r io.Reader, changes []string, platform string) (Image, error) {
	plat, err := platformOf(platform)
	if err != nil {
		return Image{}, err
	}
	var cfg v1.Config
	if err := applyChanges(&cfg, changes); err != nil {
		return Image{}, err
	}
	tmp, err := s.tempDir()
	if err != nil {
		return Image{}, err
	}
	defer os.RemoveAll(tmp)
	layer, err := stageReader(ctx, r, tmp, "import")
	if err != nil {
		return Image{}, fmt.Errorf("import: %w", err)
	}

	now := time.Now().UTC()
	cf := v1.ConfigFile{
		Architecture: plat.Architecture,
		OS:           plat.OS,
		Variant:      plat.Variant,
		OSVersion:    plat.OSVersion,
		Created:      v1.Time{Time: now},
		Config:       cfg,
		RootFS:       v1.RootFS{Type: "layers", DiffIDs: []v1.Hash{layer.diffID}},
		History:      []v1.History{{Created: v1.Time{Time: now}, Comment: "Imported from -"}},
	}
	rec, err := newRecord(cf, []stagedLayer{layer})
	if err != nil {
		return Image{}, fmt.Errorf("import: %w", err)
	}
	img, _, err := s.commit(rec)
	return img, err
}

// newRecord builds the manifest for a config and verified layers, in
// Docker's media types unless a layer needs OCI's (zstd).
func newRecord(cf v1.ConfigFile, layers []stagedLayer) (record, error) {
	config, err := json.Marshal(cf)
	if err != nil {
		return record{}, err
	}
	return recordFor(config, layers)
}

func recordFor(config []byte, layers []stagedLayer) (record, error) {
	cfgHash, cfgSize, err := v1.SHA256(bytes.NewReader(config))
	if err != nil {
		return record{}, err
	}
	mt, cfgType := types.DockerManifestSchema2, types.DockerConfigJSON
	for _, l := range layers {
		if l.mediaType == types.OCILayerZStd {
			mt, cfgType = types.OCIManifestSchema1, types.OCIConfigJSON
		}
	}
	m := v1.Manifest{
		SchemaVersion: 2,
		MediaType:     mt,
		Config:        v1.Descriptor{MediaType: cfgType, Digest: cfgHash, Size: cfgSize},
	}
	for _, l := range layers {
		lt := l.mediaType
		if mt == types.OCIManifestSchema1 && lt == types.DockerLayer {
			lt = types.OCILayer
		}
		m.Layers = append(m.Layers, v1.Descriptor{MediaType: lt, Digest: l.digest, Size: l.size})
	}
	raw, err := json.Marshal(m)
	if err != nil {
		return record{}, err
	}
	return record{manifest: raw, mediaType: mt, config: config, layers: layers}, nil
}
