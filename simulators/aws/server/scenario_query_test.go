package server

import (
	"context"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

func thing(pk string, i int) item {
	return item{"pk": s(pk), "sk": s(fmt.Sprintf("item#%02d", i)), "val": n(fmt.Sprint(i))}
}

func query(in dynamodb.QueryInput) func(context.Context, *clients) (any, error) {
	return call(func(ctx context.Context, c *clients) (*dynamodb.QueryOutput, error) {
		in.TableName = str("things")
		return c.ddb.Query(ctx, &in)
	})
}

// sks lists the sort keys of a page, for order assertions.
func sks(items []item) []string {
	var out []string
	for _, it := range items {
		out = append(out, it["sk"].(*types.AttributeValueMemberS).Value)
	}
	return out
}

func wantSKs(t *testing.T, items []item, want ...string) {
	t.Helper()
	if got := fmt.Sprint(sks(items)); got != fmt.Sprint(want) {
		t.Errorf("sort keys = %s, want %v", got, want)
	}
}

var p1 = item{":p": s("p1")}

func querySteps() []step {
	return []step{
		{"BatchWriteItem", call(func(ctx context.Context, c *clients) (*dynamodb.BatchWriteItemOutput, error) {
			var reqs []types.WriteRequest
			for i := 1; i <= 10; i++ {
				reqs = append(reqs, types.WriteRequest{PutRequest: &types.PutRequest{Item: thing("p1", i)}})
			}
			for i := 1; i <= 2; i++ {
				reqs = append(reqs, types.WriteRequest{PutRequest: &types.PutRequest{Item: thing("p2", i)}})
			}
			return c.ddb.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{"things": reqs}})
		}), ok(func(t *testing.T, o *dynamodb.BatchWriteItemOutput) {
			if len(o.UnprocessedItems) != 0 {
				t.Errorf("unprocessed: %v", o.UnprocessedItems)
			}
		})},
		{"Query", query(dynamodb.QueryInput{KeyConditionExpression: str("pk = :p"), ExpressionAttributeValues: p1}),
			ok(func(t *testing.T, o *dynamodb.QueryOutput) {
				wantSKs(t, o.Items, "item#01", "item#02", "item#03", "item#04", "item#05", "item#06", "item#07", "item#08", "item#09", "item#10")
			})},
		{"Query/BETWEEN", query(dynamodb.QueryInput{KeyConditionExpression: str("pk = :p AND sk BETWEEN :a AND :b"),
			ExpressionAttributeValues: item{":p": s("p1"), ":a": s("item#03"), ":b": s("item#06")}}),
			ok(func(t *testing.T, o *dynamodb.QueryOutput) {
				wantSKs(t, o.Items, "item#03", "item#04", "item#05", "item#06")
			})},
		{"Query/begins_with", query(dynamodb.QueryInput{KeyConditionExpression: str("pk = :p AND begins_with(sk, :b)"),
			ExpressionAttributeValues: item{":p": s("p1"), ":b": s("item#1")}}),
			ok(func(t *testing.T, o *dynamodb.QueryOutput) { wantSKs(t, o.Items, "item#10") })},
		{"Query/backward", query(dynamodb.QueryInput{KeyConditionExpression: str("pk = :p AND sk > :a"),
			ExpressionAttributeValues: item{":p": s("p1"), ":a": s("item#07")}, ScanIndexForward: aws.Bool(false)}),
			ok(func(t *testing.T, o *dynamodb.QueryOutput) { wantSKs(t, o.Items, "item#10", "item#09", "item#08") })},
		{"Query/<= and Limit", query(dynamodb.QueryInput{KeyConditionExpression: str("pk = :p AND sk <= :a"),
			ExpressionAttributeValues: item{":p": s("p1"), ":a": s("item#05")}, Limit: aws.Int32(2)}),
			ok(func(t *testing.T, o *dynamodb.QueryOutput) {
				wantSKs(t, o.Items, "item#01", "item#02")
				wantItem(t, o.LastEvaluatedKey, map[string]any{"pk": "S:p1", "sk": "S:item#02"})
			})},
		{"Query/ExclusiveStartKey", query(dynamodb.QueryInput{KeyConditionExpression: str("pk = :p"), ExpressionAttributeValues: p1,
			Limit: aws.Int32(3), ExclusiveStartKey: item{"pk": s("p1"), "sk": s("item#02")}}),
			ok(func(t *testing.T, o *dynamodb.QueryOutput) { wantSKs(t, o.Items, "item#03", "item#04", "item#05") })},
		{"Query/filter projection", query(dynamodb.QueryInput{KeyConditionExpression: str("pk = :p"),
			FilterExpression:          str("val >= :five AND val < :seven"),
			ProjectionExpression:      str("sk, val"),
			ExpressionAttributeValues: item{":p": s("p1"), ":five": n("5"), ":seven": n("7")}, Limit: aws.Int32(6)}),
			ok(func(t *testing.T, o *dynamodb.QueryOutput) {
				wantSKs(t, o.Items, "item#05", "item#06")
				if o.Count != 2 || o.ScannedCount != 6 || o.Items[0]["pk"] != nil {
					t.Errorf("Count %d ScannedCount %d item %v", o.Count, o.ScannedCount, plainItem(o.Items[0]))
				}
			})},
		{"Query/no partition key", query(dynamodb.QueryInput{KeyConditionExpression: str("sk = :p"), ExpressionAttributeValues: p1}),
			failsWith("ValidationException")},
		{"Query/OR", query(dynamodb.QueryInput{KeyConditionExpression: str("pk = :p OR sk = :p"), ExpressionAttributeValues: p1}),
			failsWith("ValidationException")},
		{"Query/missing table", call(func(ctx context.Context, c *clients) (*dynamodb.QueryOutput, error) {
			return c.ddb.Query(ctx, &dynamodb.QueryInput{TableName: str("nope"), KeyConditionExpression: str("pk = :p"), ExpressionAttributeValues: p1})
		}), fails[*types.ResourceNotFoundException]()},
		{"Scan/paged", call(func(ctx context.Context, c *clients) ([]string, error) {
			var seen []string
			var start item
			for range 10 {
				o, err := c.ddb.Scan(ctx, &dynamodb.ScanInput{TableName: str("things"), Limit: aws.Int32(5), ExclusiveStartKey: start})
				if err != nil {
					return nil, err
				}
				for _, it := range o.Items {
					seen = append(seen, it["pk"].(*types.AttributeValueMemberS).Value+"/"+it["sk"].(*types.AttributeValueMemberS).Value)
				}
				if start = o.LastEvaluatedKey; start == nil {
					break
				}
			}
			return seen, nil
		}), ok(func(t *testing.T, seen []string) {
			uniq := map[string]bool{}
			for _, k := range seen {
				uniq[k] = true
			}
			if len(seen) != 12 || len(uniq) != 12 {
				t.Errorf("paged scan saw %d items (%d distinct): %v", len(seen), len(uniq), seen)
			}
		})},
		{"Scan/filter", call(func(ctx context.Context, c *clients) (*dynamodb.ScanOutput, error) {
			return c.ddb.Scan(ctx, &dynamodb.ScanInput{TableName: str("things"), FilterExpression: str("pk = :p AND val > :eight"),
				ExpressionAttributeValues: item{":p": s("p1"), ":eight": n("8")}})
		}), ok(func(t *testing.T, o *dynamodb.ScanOutput) {
			if o.Count != 2 || o.ScannedCount != 12 {
				t.Errorf("Count %d ScannedCount %d", o.Count, o.ScannedCount)
			}
		})},
	}
}
