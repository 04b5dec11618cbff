package server

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	"cloud.google.com/go/storage"
	"google.golang.org/api/iterator"
)

// storageClient is the Go SDK as an application points it at an
// emulator: STORAGE_EMULATOR_HOST names host:port.
func storageClient(t testing.TB, s *Server) *storage.Client {
	t.Helper()
	t.Setenv("STORAGE_EMULATOR_HOST", s.Addr())
	c, err := storage.NewClient(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func writeObject(ctx context.Context, o *storage.ObjectHandle, data []byte, chunk int) (*storage.ObjectAttrs, error) {
	w := o.NewWriter(ctx)
	w.ChunkSize = chunk
	w.ContentType = "text/plain"
	w.Metadata = map[string]string{"k": "v"}
	if _, err := w.Write(data); err != nil {
		w.Close()
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return w.Attrs(), nil
}

func readObject(ctx context.Context, o *storage.ObjectHandle, off, n int64) ([]byte, error) {
	r, err := o.NewRangeReader(ctx, off, n)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	return io.ReadAll(r)
}

func listNames(ctx context.Context, b *storage.BucketHandle, q *storage.Query) (string, error) {
	var names []string
	it := b.Objects(ctx, q)
	for {
		a, err := it.Next()
		if errors.Is(err, iterator.Done) {
			return strings.Join(names, ","), nil
		}
		if err != nil {
			return "", err
		}
		if a.Prefix != "" {
			names = append(names, a.Prefix)
		} else {
			names = append(names, a.Name)
		}
	}
}

// TestStorage drives buckets and objects through the Go SDK: uploads of
// each kind it makes, reads whole and by range, listings, metadata
// updates, preconditions and the errors of bad input.
func TestStorage(t *testing.T) {
	s := startServer(t, Config{})
	c := storageClient(t, s)
	ctx := context.Background()
	project := newProject(t)
	b := c.Bucket("sim-bucket")
	if err := b.Create(ctx, project, &storage.BucketAttrs{Location: "us-central1", Labels: map[string]string{"team": "a"}}); err != nil {
		t.Fatal(err)
	}
	big := bytes.Repeat([]byte("0123456789abcdef"), 64<<10) // 1 MiB, in 256 KiB chunks

	cases := []struct {
		name string
		do   func() error
		code int // HTTP status of the error; 0: none
	}{
		{"bucket attributes", func() error {
			a, err := b.Attrs(ctx)
			if err == nil && (a.Location != "US-CENTRAL1" || a.Labels["team"] != "a" || a.StorageClass != "STANDARD" || a.MetaGeneration != 1) {
				return errors.New("attrs " + a.Location + " " + a.StorageClass)
			}
			return err
		}, 0},
		{"a bucket name taken", func() error { return b.Create(ctx, project, nil) }, 409},
		{"a bucket name with capitals", func() error { return c.Bucket("Bad_Name").Create(ctx, project, nil) }, 400},
		{"versioning is refused", func() error {
			return c.Bucket("sim-versioned").Create(ctx, project, &storage.BucketAttrs{VersioningEnabled: true})
		}, 400},
		{"update bucket labels", func() error {
			var u storage.BucketAttrsToUpdate
			u.SetLabel("team", "b")
			a, err := b.Update(ctx, u)
			if err == nil && (a.Labels["team"] != "b" || a.MetaGeneration != 2) {
				return errors.New("labels not updated")
			}
			return err
		}, 0},
		{"list the project's buckets", func() error {
			it := c.Buckets(ctx, project)
			a, err := it.Next()
			if err == nil && a.Name != "sim-bucket" {
				return errors.New("listed " + a.Name)
			}
			return err
		}, 0},
		{"a small object goes up in one multipart request", func() error {
			a, err := writeObject(ctx, b.Object("dir/small.txt"), []byte("hello"), 16<<20)
			if err == nil && (a.Size != 5 || a.ContentType != "text/plain" || a.Metadata["k"] != "v" || a.Generation == 0) {
				return errors.New("small object attrs")
			}
			return err
		}, 0},
		{"a large object goes up in resumable chunks", func() error {
			a, err := writeObject(ctx, b.Object("dir/sub/big.bin"), big, 256<<10)
			if err == nil && a.Size != int64(len(big)) {
				return errors.New("big object size")
			}
			return err
		}, 0},
		{"read an object whole, its CRC32C checked by the SDK", func() error {
			got, err := readObject(ctx, b.Object("dir/sub/big.bin"), 0, -1)
			if err == nil && !bytes.Equal(got, big) {
				return errors.New("read back differs")
			}
			return err
		}, 0},
		{"read a range", func() error {
			got, err := readObject(ctx, b.Object("dir/sub/big.bin"), 20, 6)
			if err == nil && string(got) != "456789" {
				return errors.New("range read " + string(got))
			}
			return err
		}, 0},
		{"list by prefix and delimiter", func() error {
			writeObject(ctx, b.Object("top.txt"), []byte("t"), 0)
			got, err := listNames(ctx, b, &storage.Query{Prefix: "dir/", Delimiter: "/"})
			if err == nil && got != "dir/small.txt,dir/sub/" {
				return errors.New("listed " + got)
			}
			return err
		}, 0},
		{"list everything page by page", func() error {
			pager := iterator.NewPager(b.Objects(ctx, nil), 2, "")
			var all []string
			for {
				var page []*storage.ObjectAttrs
				next, err := pager.NextPage(&page)
				if err != nil {
					return err
				}
				for _, a := range page {
					all = append(all, a.Name)
				}
				if next == "" {
					break
				}
			}
			if strings.Join(all, ",") != "dir/small.txt,dir/sub/big.bin,top.txt" {
				return errors.New("paged " + strings.Join(all, ","))
			}
			return nil
		}, 0},
		{"create only if absent, when present", func() error {
			_, err := writeObject(ctx, b.Object("top.txt").If(storage.Conditions{DoesNotExist: true}), []byte("x"), 0)
			return err
		}, 412},
		{"delete at a generation that is not the live one", func() error {
			return b.Object("top.txt").If(storage.Conditions{GenerationMatch: 1}).Delete(ctx)
		}, 412},
		{"update object metadata", func() error {
			a, err := b.Object("top.txt").Update(ctx, storage.ObjectAttrsToUpdate{ContentType: "application/json", Metadata: map[string]string{"n": "1"}})
			if err == nil && (a.ContentType != "application/json" || a.Metageneration != 2) {
				return errors.New("metadata not updated")
			}
			return err
		}, 0},
		{"delete an object", func() error { return b.Object("top.txt").Delete(ctx) }, 0},
		{"a deleted object is gone", func() error {
			if _, err := b.Object("top.txt").Attrs(ctx); !errors.Is(err, storage.ErrObjectNotExist) {
				return errors.New("attrs of a deleted object: " + err.Error())
			}
			if _, err := readObject(ctx, b.Object("top.txt"), 0, -1); !errors.Is(err, storage.ErrObjectNotExist) {
				return errors.New("read of a deleted object: " + err.Error())
			}
			return nil
		}, 0},
		{"a bucket that does not exist", func() error {
			if _, err := c.Bucket("sim-ghost").Attrs(ctx); !errors.Is(err, storage.ErrBucketNotExist) {
				return errors.New("attrs of a missing bucket: " + err.Error())
			}
			return nil
		}, 0},
		{"a bucket that is not empty is not deleted", func() error { return b.Delete(ctx) }, 409},
		{"an unknown field is refused", func() error {
			resp, err := http.Post(s.URL()+"/storage/v1/b?project="+project, "application/json", strings.NewReader(`{"name":"sim-other","colour":"red"}`))
			if err != nil {
				return err
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != 400 || !strings.Contains(string(body), `Unknown name \"colour\"`) {
				return errors.New("got " + resp.Status + " " + string(body))
			}
			return nil
		}, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.do()
			if (tc.code == 0 && err != nil) || (tc.code != 0 && httpStatus(err) != tc.code) {
				t.Fatalf("got %v (status %d), want status %d", err, httpStatus(err), tc.code)
			}
		})
	}
}

// TestStorageSurvivesRestart proves buckets and objects are kept in the
// state file and served by the next simulator on it.
func TestStorageSurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	first := startFirst(t, dir)
	c := storageClient(t, first)
	if err := c.Bucket("kept-bucket").Create(ctx, "kept", nil); err != nil {
		t.Fatal(err)
	}
	a, err := writeObject(ctx, c.Bucket("kept-bucket").Object("o.txt"), []byte("kept"), 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := writeObject(ctx, c.Bucket("kept-bucket").Object("gone.txt"), []byte("gone"), 0); err != nil {
		t.Fatal(err)
	}
	if err := c.Bucket("kept-bucket").Object("gone.txt").Delete(ctx); err != nil {
		t.Fatal(err)
	}
	c.Close()
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}

	second := startServer(t, Config{DataDir: dir})
	c = storageClient(t, second)
	got, err := readObject(ctx, c.Bucket("kept-bucket").Object("o.txt"), 0, -1)
	if err != nil || string(got) != "kept" {
		t.Fatalf("after restart: %q %v", got, err)
	}
	if _, err := c.Bucket("kept-bucket").Object("gone.txt").Attrs(ctx); !errors.Is(err, storage.ErrObjectNotExist) {
		t.Fatalf("a deleted object after restart: %v", err)
	}
	// Generations keep increasing across the restart.
	b, err := writeObject(ctx, c.Bucket("kept-bucket").Object("o.txt"), []byte("again"), 0)
	if err != nil || b.Generation <= a.Generation {
		t.Fatalf("generation %d after %d: %v", b.Generation, a.Generation, err)
	}
}
