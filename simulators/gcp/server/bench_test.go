package server

import (
	"context"
	"fmt"
	"testing"

	"cloud.google.com/go/firestore"

	"github.com/sockerless/sockerless/simulators/kit/latency"
)

// BenchmarkFirestoreCommit measures a Commit of one document with a
// precondition (the SDK's Update: the document must exist) through the
// real SDK: against the simulator with state in memory and in bbolt (one
// fsync'd transaction per commit), and against the real Firestore
// emulator in the same run, whose figures it compares. Run on one core
// with
//
//	go test -run '^$' -bench FirestoreCommit -cpu 1 ./gcp/server/
func BenchmarkFirestoreCommit(b *testing.B) {
	targets := []struct{ name, addr string }{
		{"memory", startServer(b, Config{}).Addr()},
		{"bbolt", startServer(b, Config{DataDir: b.TempDir()}).Addr()},
	}
	emu.once.Do(startEmulator)
	if emu.err != nil {
		fmt.Println("FirestoreCommit/emulator: skipped:", emu.err)
	} else {
		targets = append(targets, struct{ name, addr string }{"emulator", emu.addr})
	}
	results := map[string]latency.Result{}
	ctx := context.Background()
	for _, tg := range targets {
		c := sdkClient(b, tg.addr, newProject(b))
		d := c.Doc("bench/counter")
		if _, err := d.Set(ctx, map[string]any{"n": 0, "payload": "some moderately sized value"}); err != nil {
			b.Fatal(err)
		}
		// Warm up (the emulator's JVM compiles its hot paths) before timing.
		for i := range 20 {
			if _, err := d.Update(ctx, []firestore.Update{{Path: "n", Value: -i}}); err != nil {
				b.Fatal(err)
			}
		}
		b.Run(tg.name, func(b *testing.B) {
			results[tg.name] = latency.Measure(b, func(i int) error {
				_, err := d.Update(ctx, []firestore.Update{{Path: "n", Value: i}})
				return err
			})
		})
		fmt.Println(results[tg.name]) // one human line per target; b.Log would repeat it per b.N round
	}
	if e, ok := results["emulator"]; ok {
		for _, name := range []string{"memory", "bbolt"} {
			r := results[name]
			fmt.Printf("FirestoreCommit %s vs emulator: p50 %.1fx faster, p99 %.1fx faster\n", name,
				float64(e.P50)/float64(r.P50), float64(e.P99)/float64(r.P99))
		}
	}
}
