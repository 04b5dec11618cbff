package server

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

func tk(pk string, i int) item {
	t := thing(pk, i)
	delete(t, "val")
	return t
}

func transact(items ...types.TransactWriteItem) func(context.Context, *clients) (any, error) {
	return call(func(ctx context.Context, c *clients) (*dynamodb.TransactWriteItemsOutput, error) {
		return c.ddb.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: items})
	})
}

func getThing(pk string, i int) func(context.Context, *clients) (any, error) {
	return call(func(ctx context.Context, c *clients) (*dynamodb.GetItemOutput, error) {
		return c.ddb.GetItem(ctx, &dynamodb.GetItemInput{TableName: str("things"), Key: tk(pk, i)})
	})
}

func batchSteps() []step {
	return []step{
		{"BatchGetItem", call(func(ctx context.Context, c *clients) (*dynamodb.BatchGetItemOutput, error) {
			return c.ddb.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{RequestItems: map[string]types.KeysAndAttributes{
				"things": {Keys: []item{tk("p1", 1), tk("p2", 2), tk("p3", 1)}},
				"simple": {Keys: []item{key("a")}, ProjectionExpression: str("id")},
			}})
		}), ok(func(t *testing.T, o *dynamodb.BatchGetItemOutput) {
			if len(o.Responses["things"]) != 2 || len(o.Responses["simple"]) != 1 || len(o.Responses["simple"][0]) != 1 {
				t.Errorf("responses = %v", o.Responses)
			}
		})},
		{"BatchGetItem/missing table", call(func(ctx context.Context, c *clients) (*dynamodb.BatchGetItemOutput, error) {
			return c.ddb.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{RequestItems: map[string]types.KeysAndAttributes{
				"nope": {Keys: []item{key("a")}}}})
		}), fails[*types.ResourceNotFoundException]()},
		{"BatchWriteItem/delete", call(func(ctx context.Context, c *clients) (*dynamodb.BatchWriteItemOutput, error) {
			return c.ddb.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{
				"things": {{DeleteRequest: &types.DeleteRequest{Key: tk("p2", 2)}}}}})
		}), ok[*dynamodb.BatchWriteItemOutput](nil)},
		{"TransactWriteItems", transact(
			types.TransactWriteItem{Put: &types.Put{TableName: str("things"), Item: thing("p3", 1),
				ConditionExpression: str("attribute_not_exists(pk)")}},
			types.TransactWriteItem{Update: &types.Update{TableName: str("things"), Key: tk("p1", 1),
				UpdateExpression: str("SET val = val + :one"), ExpressionAttributeValues: item{":one": n("1")}}},
			types.TransactWriteItem{Delete: &types.Delete{TableName: str("things"), Key: tk("p1", 2)}},
			types.TransactWriteItem{ConditionCheck: &types.ConditionCheck{TableName: str("simple"), Key: key("a"),
				ConditionExpression: str("attribute_exists(id)")}},
		), ok[*dynamodb.TransactWriteItemsOutput](nil)},
		{"TransactWriteItems/applied", getThing("p1", 1), ok(func(t *testing.T, o *dynamodb.GetItemOutput) {
			wantItem(t, o.Item, map[string]any{"pk": "S:p1", "sk": "S:item#01", "val": "N:2"})
		})},
		{"TransactWriteItems/cancelled", transact(
			types.TransactWriteItem{Update: &types.Update{TableName: str("things"), Key: tk("p1", 1),
				UpdateExpression: str("SET val = :v"), ExpressionAttributeValues: item{":v": n("100")}}},
			types.TransactWriteItem{ConditionCheck: &types.ConditionCheck{TableName: str("things"), Key: tk("p1", 2),
				ConditionExpression: str("attribute_exists(pk)")}},
		), func(t *testing.T, _ any, err error) {
			var tc *types.TransactionCanceledException
			if !errors.As(err, &tc) {
				t.Fatalf("want TransactionCanceledException, got %v", err)
			}
			var codes []string
			for _, r := range tc.CancellationReasons {
				codes = append(codes, *r.Code)
			}
			if len(codes) != 2 || codes[0] != "None" || codes[1] != "ConditionalCheckFailed" {
				t.Errorf("reasons = %v", codes)
			}
		}},
		{"TransactWriteItems/nothing written", getThing("p1", 1), ok(func(t *testing.T, o *dynamodb.GetItemOutput) {
			wantItem(t, o.Item, map[string]any{"pk": "S:p1", "sk": "S:item#01", "val": "N:2"})
		})},
		{"TransactWriteItems/same item twice", transact(
			types.TransactWriteItem{Delete: &types.Delete{TableName: str("things"), Key: tk("p1", 1)}},
			types.TransactWriteItem{Delete: &types.Delete{TableName: str("things"), Key: tk("p1", 1)}},
		), failsWith("ValidationException")},
	}
}
