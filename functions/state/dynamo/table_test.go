package dynamo_test

import (
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/sockerless/sockerless/functions/state/dynamo"
)

// TestTableLayout checks what the package doc promises about the table:
// TTL enabled on "ttl", items keyed (pk "k", sk key) with ver, exp in
// milliseconds and ttl in whole seconds rounded up.
func TestTableLayout(t *testing.T) {
	client := newClient(t, simulator(t))
	ctx := t.Context()
	const table = "layout"
	if err := dynamo.CreateTable(ctx, client, table); err != nil {
		t.Fatal(err)
	}
	ttl, err := client.DescribeTimeToLive(ctx, &dynamodb.DescribeTimeToLiveInput{TableName: aws.String(table)})
	if err != nil {
		t.Fatal(err)
	}
	if d := ttl.TimeToLiveDescription; d == nil || aws.ToString(d.AttributeName) != "ttl" || d.TimeToLiveStatus != types.TimeToLiveStatusEnabled {
		t.Fatalf("TTL description = %+v, want enabled on ttl", d)
	}
	s, err := dynamo.New(ctx, client, table)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Put(ctx, "a/b", []byte("x"), 0, 90*time.Second+300*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	out, err := client.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: aws.String(table),
		Key: map[string]types.AttributeValue{
			"pk": &types.AttributeValueMemberS{Value: "k"},
			"sk": &types.AttributeValueMemberS{Value: "a/b"},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	n := func(name string) int64 {
		v, ok := out.Item[name].(*types.AttributeValueMemberN)
		if !ok {
			t.Fatalf("item %v has no number %s", out.Item, name)
		}
		i, err := strconv.ParseInt(v.Value, 10, 64)
		if err != nil {
			t.Fatal(err)
		}
		return i
	}
	if ver := n("ver"); ver != 1 {
		t.Fatalf("ver = %d", ver)
	}
	exp, sec := n("exp"), n("ttl")
	if sec != (exp+999)/1000 {
		t.Fatalf("ttl %d is not exp %d ms rounded up to seconds", sec, exp)
	}
	if d := time.Until(time.UnixMilli(exp)); d < 85*time.Second || d > 95*time.Second {
		t.Fatalf("exp is %v away, want about 90s", d)
	}
}

// TestNewChecksTable: New refuses a missing table and a foreign schema.
func TestNewChecksTable(t *testing.T) {
	client := newClient(t, simulator(t))
	ctx := t.Context()
	if _, err := dynamo.New(ctx, client, "missing"); err == nil {
		t.Fatal("New on a missing table succeeded")
	}
	_, err := client.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName:            aws.String("foreign"),
		BillingMode:          types.BillingModePayPerRequest,
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("id"), AttributeType: types.ScalarAttributeTypeS}},
		KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String("id"), KeyType: types.KeyTypeHash}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := dynamo.New(ctx, client, "foreign"); err == nil {
		t.Fatal("New on a table with another key schema succeeded")
	}
}

// BenchmarkPutGet measures one conditional update plus one consistent
// read against the simulator.
func BenchmarkPutGet(b *testing.B) {
	client := newClient(b, simulator(b))
	ctx := b.Context()
	if err := dynamo.CreateTable(ctx, client, "bench"); err != nil {
		b.Fatal(err)
	}
	s, err := dynamo.New(ctx, client, "bench")
	if err != nil {
		b.Fatal(err)
	}
	var ver int64
	for i := 0; b.Loop(); i++ {
		if ver, err = s.Put(ctx, "k", []byte(fmt.Sprint(i)), ver, 0); err != nil {
			b.Fatal(err)
		}
		if _, err := s.Get(ctx, "k"); err != nil {
			b.Fatal(err)
		}
	}
}
