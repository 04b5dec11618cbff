package server

import (
	"context"
	"fmt"
	"strconv"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/sockerless/sockerless/simulators/kit/latency"
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
			line = latency.Measure(b, func(i int) error {
				_, err := c.ddb.PutItem(ctx, &dynamodb.PutItemInput{TableName: str("bench"),
					Item: item{"id": s("k" + strconv.Itoa(i%1000)), "v": n(strconv.Itoa(i)), "payload": s("some moderately sized value")}})
				return err
			}).String()
		})
		fmt.Println(line) // one human line per benchmark; b.Log would repeat it per b.N round
		b.Run("ConditionalUpdateItem/"+store, func(b *testing.B) {
			line = latency.Measure(b, func(i int) error {
				_, err := c.ddb.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: str("bench"), Key: key("counter"),
					ConditionExpression: str("attribute_exists(id) AND v < :max"), UpdateExpression: str("SET v = v + :one"),
					ExpressionAttributeValues: item{":one": n("1"), ":max": n("1e30")}})
				return err
			}).String()
		})
		fmt.Println(line) // one human line per benchmark; b.Log would repeat it per b.N round
	}
}
