package server

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
)

// BenchmarkDynamoDB measures PutItem and a conditional UpdateItem through
// the real SDK against the in-process server, with state in memory and in
// bbolt (one fsync'd transaction per write). Run on one core with
//
//	go test -run '^$' -bench DynamoDB -cpu 1 ./server/
func BenchmarkDynamoDB(b *testing.B) {
	for _, store := range []string{"memory", "bbolt"} {
		cfg := Config{}
		if store == "bbolt" {
			cfg.DataDir = b.TempDir()
		}
		srv := startServer(b, cfg)
		c := newClients(b, srv.URL(), "test", "test")
		createSimple(b, c, "bench")
		ctx := context.Background()
		c.ddb.PutItem(ctx, &dynamodb.PutItemInput{TableName: str("bench"), Item: item{"id": s("counter"), "v": n("0")}})

		var line string
		b.Run("PutItem/"+store, func(b *testing.B) {
			line = measure(b, func(i int) error {
				_, err := c.ddb.PutItem(ctx, &dynamodb.PutItemInput{TableName: str("bench"),
					Item: item{"id": s("k" + strconv.Itoa(i%1000)), "v": n(strconv.Itoa(i)), "payload": s("some moderately sized value")}})
				return err
			})
		})
		fmt.Println(line) // one human line per benchmark; b.Log would repeat it per b.N round
		b.Run("ConditionalUpdateItem/"+store, func(b *testing.B) {
			line = measure(b, func(i int) error {
				_, err := c.ddb.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: str("bench"), Key: key("counter"),
					ConditionExpression: str("attribute_exists(id) AND v < :max"), UpdateExpression: str("SET v = v + :one"),
					ExpressionAttributeValues: item{":one": n("1"), ":max": n("1e30")}})
				return err
			})
		})
		fmt.Println(line) // one human line per benchmark; b.Log would repeat it per b.N round
	}
}

// measure times each call, reports ops/s with p50 and p99 latency, and
// returns the same figures as one readable line.
func measure(b *testing.B, op func(i int) error) string {
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		if err := op(i); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(t0))
	}
	total := time.Since(start)
	b.StopTimer()
	slices.Sort(lat)
	p50, p99 := lat[len(lat)/2], lat[len(lat)*99/100]
	ops := float64(b.N) / total.Seconds()
	b.ReportMetric(ops, "ops/s")
	b.ReportMetric(float64(p50.Microseconds()), "p50-µs")
	b.ReportMetric(float64(p99.Microseconds()), "p99-µs")
	return fmt.Sprintf("%s: %.0f ops/s, p50 %v, p99 %v over %d ops", b.Name(), ops, p50.Round(time.Microsecond), p99.Round(time.Microsecond), b.N)
}
