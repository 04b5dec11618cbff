package server

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

func update(in dynamodb.UpdateItemInput) func(context.Context, *clients) (any, error) {
	return call(func(ctx context.Context, c *clients) (*dynamodb.UpdateItemOutput, error) {
		if in.TableName == nil {
			in.TableName = str("simple")
		}
		return c.ddb.UpdateItem(ctx, &in)
	})
}

func updateSteps() []step {
	return []step{
		{"UpdateItem/SET arithmetic if_not_exists list_append", update(dynamodb.UpdateItemInput{Key: key("a"),
			UpdateExpression:          str("SET n = n + :one, s = if_not_exists(s, :zero), l = list_append(l, :more), m.nested.deep = :w"),
			ExpressionAttributeValues: item{":one": n("1"), ":zero": n("0"), ":more": l(n("3")), ":w": s("w")},
			ReturnValues:              types.ReturnValueAllNew,
		}), ok(func(t *testing.T, o *dynamodb.UpdateItemOutput) {
			wantItem(t, o.Attributes, map[string]any{"id": "S:a", "n": "N:2", "s": "N:0", "tags": "SS:x,y",
				"l": []any{"N:1", "N:2", "N:3"}, "m": map[string]any{"nested": map[string]any{"deep": "S:w", "oth": "S:o"}}, "name": "S:alpha"})
		})},
		{"UpdateItem/conditional ADD DELETE REMOVE", update(dynamodb.UpdateItemInput{Key: key("a"),
			ConditionExpression:      str("n = :two AND begins_with(#nm, :al) AND size(l) > :one AND contains(tags, :x) AND NOT attribute_exists(nope) AND (n BETWEEN :one AND :two OR n IN (:zero))"),
			UpdateExpression:         str("ADD labels :z, cnt :five DELETE tags :xs REMOVE m.nested.oth"),
			ExpressionAttributeNames: map[string]string{"#nm": "name"},
			ExpressionAttributeValues: item{":two": n("2"), ":al": s("al"), ":one": n("1"), ":x": s("x"), ":zero": n("0"),
				":z": ss("z"), ":five": n("5"), ":xs": ss("x")},
			ReturnValues: types.ReturnValueUpdatedNew,
		}), ok(func(t *testing.T, o *dynamodb.UpdateItemOutput) {
			// The removed path no longer exists, so UPDATED_NEW omits it.
			wantItem(t, o.Attributes, map[string]any{"tags": "SS:y", "labels": "SS:z", "cnt": "N:5"})
		})},
		{"UpdateItem/UPDATED_OLD", update(dynamodb.UpdateItemInput{Key: key("a"),
			UpdateExpression:          str("SET cnt = cnt - :big"),
			ExpressionAttributeValues: item{":big": n("0.000000000000000000000000000001")},
			ReturnValues:              types.ReturnValueUpdatedOld,
		}), ok(func(t *testing.T, o *dynamodb.UpdateItemOutput) {
			wantItem(t, o.Attributes, map[string]any{"cnt": "N:5"})
		})},
		{"UpdateItem/exact decimal arithmetic", call(func(ctx context.Context, c *clients) (*dynamodb.GetItemOutput, error) {
			return c.ddb.GetItem(ctx, &dynamodb.GetItemInput{TableName: str("simple"), Key: key("a"), ProjectionExpression: str("cnt")})
		}), ok(func(t *testing.T, o *dynamodb.GetItemOutput) {
			// 5 - 1E-30 needs 31 significant digits; DynamoDB keeps 38.
			wantItem(t, o.Item, map[string]any{"cnt": "N:4.999999999999999999999999999999"})
		})},
		{"UpdateItem/condition fails", update(dynamodb.UpdateItemInput{Key: key("a"),
			ConditionExpression: str("n > :hundred OR attribute_not_exists(id)"), UpdateExpression: str("SET n = :hundred"),
			ExpressionAttributeValues: item{":hundred": n("100")},
		}), fails[*types.ConditionalCheckFailedException]()},
		{"UpdateItem/upsert ALL_OLD", update(dynamodb.UpdateItemInput{Key: key("new"),
			UpdateExpression: str("SET v = :v"), ExpressionAttributeValues: item{":v": s("x")}, ReturnValues: types.ReturnValueAllOld,
		}), ok(func(t *testing.T, o *dynamodb.UpdateItemOutput) {
			if o.Attributes != nil {
				t.Errorf("ALL_OLD of a new item = %v", o.Attributes)
			}
		})},
		{"UpdateItem/key attribute", update(dynamodb.UpdateItemInput{Key: key("a"),
			UpdateExpression: str("SET id = :v"), ExpressionAttributeValues: item{":v": s("b")},
		}), failsWith("ValidationException")},
		{"UpdateItem/ADD to a string", update(dynamodb.UpdateItemInput{Key: key("a"),
			UpdateExpression: str("ADD #nm :one"), ExpressionAttributeNames: map[string]string{"#nm": "name"},
			ExpressionAttributeValues: item{":one": n("1")},
		}), failsWith("ValidationException")},
		{"UpdateItem/syntax error", update(dynamodb.UpdateItemInput{Key: key("a"),
			UpdateExpression: str("SET n = = :v"), ExpressionAttributeValues: item{":v": n("1")},
		}), failsWith("ValidationException")},
		{"UpdateItem/unused value", update(dynamodb.UpdateItemInput{Key: key("a"),
			UpdateExpression: str("SET n = :v"), ExpressionAttributeValues: item{":v": n("1"), ":unused": n("2")},
		}), failsWith("ValidationException")},
		{"UpdateItem/undefined name", update(dynamodb.UpdateItemInput{Key: key("a"),
			UpdateExpression: str("SET #missing = :v"), ExpressionAttributeValues: item{":v": n("1")},
		}), failsWith("ValidationException")},
		{"UpdateItem/missing table", update(dynamodb.UpdateItemInput{TableName: str("nope"), Key: key("a"),
			UpdateExpression: str("SET n = :v"), ExpressionAttributeValues: item{":v": n("1")},
		}), fails[*types.ResourceNotFoundException]()},
	}
}
