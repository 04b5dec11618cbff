package firestore_test

import (
	"testing"

	fsdk "cloud.google.com/go/firestore"

	"github.com/sockerless/sockerless/functions/state/firestore"
	"github.com/sockerless/sockerless/functions/testing/gcpsimtest"
)

// BenchmarkPut compares the store's conditional writes (a create, then
// updates carrying the version read: one read and one commit each) on
// the simulator and on the real emulator, in the same run; each reports
// puts/s.
func BenchmarkPut(b *testing.B) {
	targets := []struct {
		name string
		host func(b *testing.B) string
	}{
		{"simulator", func(b *testing.B) string { return gcpsimtest.Simulator(b, b.TempDir()) }},
		{"emulator", func(b *testing.B) string { return gcpsimtest.Emulator(b) }},
	}
	for _, tg := range targets {
		b.Run(tg.name, func(b *testing.B) {
			benchPut(b, gcpsimtest.Firestore(b, tg.host(b), gcpsimtest.Project))
		})
	}
}

func benchPut(b *testing.B, client *fsdk.Client) {
	s, err := firestore.New(client, collection("bench"))
	if err != nil {
		b.Fatal(err)
	}
	ctx := b.Context()
	value := []byte(`{"State":{"Status":"running"}}`)
	var version int64
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		if version, err = s.Put(ctx, "containers/bench", value, version, 0); err != nil {
			b.Fatalf("put %d: %v", i, err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "puts/s")
	if version != int64(b.N) {
		b.Fatalf("version %d after %d puts", version, b.N)
	}
}
