package server

import (
	"context"
	"errors"
	"reflect"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

type item = map[string]types.AttributeValue

func key(id string) item { return item{"id": s(id)} }

// wantItem compares an item after plain conversion.
func wantItem(t *testing.T, got item, want map[string]any) {
	t.Helper()
	if p := plainItem(got); !reflect.DeepEqual(p, want) {
		t.Errorf("item = %v\nwant   %v", p, want)
	}
}

func itemSteps() []step {
	a := item{"id": s("a"), "n": n("1"), "tags": ss("x", "y"), "l": l(n("1"), n("2")),
		"m": m(item{"nested": m(item{"deep": s("v"), "oth": s("o")})}), "name": s("alpha")}
	return []step{
		{"PutItem", call(func(ctx context.Context, c *clients) (*dynamodb.PutItemOutput, error) {
			return c.ddb.PutItem(ctx, &dynamodb.PutItemInput{TableName: str("simple"), Item: a})
		}), ok(func(t *testing.T, o *dynamodb.PutItemOutput) {
			if o.Attributes != nil {
				t.Errorf("Attributes without ReturnValues: %v", o.Attributes)
			}
		})},
		{"PutItem/missing key", call(func(ctx context.Context, c *clients) (*dynamodb.PutItemOutput, error) {
			return c.ddb.PutItem(ctx, &dynamodb.PutItemInput{TableName: str("simple"), Item: item{"x": s("1")}})
		}), failsWith("ValidationException")},
		{"PutItem/missing table", call(func(ctx context.Context, c *clients) (*dynamodb.PutItemOutput, error) {
			return c.ddb.PutItem(ctx, &dynamodb.PutItemInput{TableName: str("nope"), Item: key("a")})
		}), fails[*types.ResourceNotFoundException]()},
		{"PutItem/attribute_not_exists fails", call(func(ctx context.Context, c *clients) (*dynamodb.PutItemOutput, error) {
			return c.ddb.PutItem(ctx, &dynamodb.PutItemInput{TableName: str("simple"), Item: key("a"),
				ConditionExpression:                 str("attribute_not_exists(id)"),
				ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld})
		}), func(t *testing.T, out any, err error) {
			var ccf *types.ConditionalCheckFailedException
			if !errors.As(err, &ccf) {
				t.Fatalf("want ConditionalCheckFailedException, got %v", err)
			}
			if aws.ToString(ccf.Message) != "The conditional request failed" || ccf.Item["name"] == nil {
				t.Errorf("exception = %q item %v", aws.ToString(ccf.Message), ccf.Item)
			}
		}},
		{"PutItem/ALL_OLD", call(func(ctx context.Context, c *clients) (*dynamodb.PutItemOutput, error) {
			b := item{"id": s("b"), "n": n("10")}
			c.ddb.PutItem(ctx, &dynamodb.PutItemInput{TableName: str("simple"), Item: b})
			b["n"] = n("11.50")
			return c.ddb.PutItem(ctx, &dynamodb.PutItemInput{TableName: str("simple"), Item: b, ReturnValues: types.ReturnValueAllOld})
		}), ok(func(t *testing.T, o *dynamodb.PutItemOutput) {
			wantItem(t, o.Attributes, map[string]any{"id": "S:b", "n": "N:10"})
		})},
		{"GetItem", call(func(ctx context.Context, c *clients) (*dynamodb.GetItemOutput, error) {
			return c.ddb.GetItem(ctx, &dynamodb.GetItemInput{TableName: str("simple"), Key: key("b"), ConsistentRead: aws.Bool(true)})
		}), ok(func(t *testing.T, o *dynamodb.GetItemOutput) {
			// DynamoDB normalises numbers: "11.50" comes back as "11.5".
			wantItem(t, o.Item, map[string]any{"id": "S:b", "n": "N:11.5"})
		})},
		{"GetItem/projection", call(func(ctx context.Context, c *clients) (*dynamodb.GetItemOutput, error) {
			return c.ddb.GetItem(ctx, &dynamodb.GetItemInput{TableName: str("simple"), Key: key("a"),
				ProjectionExpression: str("#n, m.nested.deep, l[1]"), ExpressionAttributeNames: map[string]string{"#n": "name"}})
		}), ok(func(t *testing.T, o *dynamodb.GetItemOutput) {
			wantItem(t, o.Item, map[string]any{"name": "S:alpha", "m": map[string]any{"nested": map[string]any{"deep": "S:v"}}, "l": []any{"N:2"}})
		})},
		{"GetItem/absent", call(func(ctx context.Context, c *clients) (*dynamodb.GetItemOutput, error) {
			return c.ddb.GetItem(ctx, &dynamodb.GetItemInput{TableName: str("simple"), Key: key("zzz")})
		}), ok(func(t *testing.T, o *dynamodb.GetItemOutput) {
			if o.Item != nil {
				t.Errorf("Item = %v", o.Item)
			}
		})},
		{"GetItem/wrong key", call(func(ctx context.Context, c *clients) (*dynamodb.GetItemOutput, error) {
			return c.ddb.GetItem(ctx, &dynamodb.GetItemInput{TableName: str("simple"), Key: item{"id": n("1")}})
		}), failsWith("ValidationException")},
		{"GetItem/missing table", call(func(ctx context.Context, c *clients) (*dynamodb.GetItemOutput, error) {
			return c.ddb.GetItem(ctx, &dynamodb.GetItemInput{TableName: str("nope"), Key: key("a")})
		}), fails[*types.ResourceNotFoundException]()},
		{"DeleteItem/condition fails", call(func(ctx context.Context, c *clients) (*dynamodb.DeleteItemOutput, error) {
			return c.ddb.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: str("simple"), Key: key("b"),
				ConditionExpression: str("n < :v"), ExpressionAttributeValues: item{":v": n("11.5")}})
		}), fails[*types.ConditionalCheckFailedException]()},
		{"DeleteItem/ALL_OLD", call(func(ctx context.Context, c *clients) (*dynamodb.DeleteItemOutput, error) {
			return c.ddb.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: str("simple"), Key: key("b"),
				ConditionExpression: str("n <= :v"), ExpressionAttributeValues: item{":v": n("11.5")}, ReturnValues: types.ReturnValueAllOld})
		}), ok(func(t *testing.T, o *dynamodb.DeleteItemOutput) {
			wantItem(t, o.Attributes, map[string]any{"id": "S:b", "n": "N:11.5"})
		})},
		{"DeleteItem/gone", call(func(ctx context.Context, c *clients) (*dynamodb.GetItemOutput, error) {
			return c.ddb.GetItem(ctx, &dynamodb.GetItemInput{TableName: str("simple"), Key: key("b")})
		}), ok(func(t *testing.T, o *dynamodb.GetItemOutput) {
			if o.Item != nil {
				t.Errorf("deleted item still there: %v", o.Item)
			}
		})},
	}
}
