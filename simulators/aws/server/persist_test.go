package server

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

func createSimple(t testing.TB, c *clients, name string) {
	t.Helper()
	_, err := c.ddb.CreateTable(context.Background(), &dynamodb.CreateTableInput{
		TableName:            str(name),
		KeySchema:            []types.KeySchemaElement{{AttributeName: str("id"), KeyType: types.KeyTypeHash}},
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: str("id"), AttributeType: types.ScalarAttributeTypeS}},
		BillingMode:          types.BillingModePayPerRequest,
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestStateSurvivesRestart writes through one server, closes it, and reads
// everything back through a new server on the same data directory.
func TestStateSurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	first, err := New(Config{Addr: "127.0.0.1:0", DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if err := first.Start(); err != nil {
		t.Fatal(err)
	}
	c := newClients(t, first.URL(), "test", "test")
	createSimple(t, c, "kept")
	createSimple(t, c, "dropped")
	for _, id := range []string{"a", "b", "c"} {
		if _, err := c.ddb.PutItem(ctx, &dynamodb.PutItemInput{TableName: str("kept"), Item: item{"id": s(id), "v": n("1.50")}}); err != nil {
			t.Fatal(err)
		}
	}
	c.ddb.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: str("kept"), Key: key("b")})
	c.ddb.DeleteTable(ctx, &dynamodb.DeleteTableInput{TableName: str("dropped")})
	c.ddb.UpdateTimeToLive(ctx, &dynamodb.UpdateTimeToLiveInput{TableName: str("kept"),
		TimeToLiveSpecification: &types.TimeToLiveSpecification{AttributeName: str("exp"), Enabled: aws.Bool(true)}})
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}

	second := startServer(t, Config{DataDir: dir})
	c = newClients(t, second.URL(), "test", "test")
	tables, err := c.ddb.ListTables(ctx, &dynamodb.ListTablesInput{})
	if err != nil || len(tables.TableNames) != 1 || tables.TableNames[0] != "kept" {
		t.Fatalf("tables after restart = %v, %v", tables, err)
	}
	sc, err := c.ddb.Scan(ctx, &dynamodb.ScanInput{TableName: str("kept")})
	if err != nil || sc.Count != 2 {
		t.Fatalf("scan after restart: %v items, %v", sc, err)
	}
	got, _ := c.ddb.GetItem(ctx, &dynamodb.GetItemInput{TableName: str("kept"), Key: key("c")})
	wantItem(t, got.Item, map[string]any{"id": "S:c", "v": "N:1.5"})
	ttl, _ := c.ddb.DescribeTimeToLive(ctx, &dynamodb.DescribeTimeToLiveInput{TableName: str("kept")})
	if ttl.TimeToLiveDescription.TimeToLiveStatus != types.TimeToLiveStatusEnabled {
		t.Errorf("TTL after restart = %v", ttl.TimeToLiveDescription.TimeToLiveStatus)
	}
	d, _ := c.ddb.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: str("kept")})
	if aws.ToInt64(d.Table.ItemCount) != 2 {
		t.Errorf("ItemCount after restart = %d", aws.ToInt64(d.Table.ItemCount))
	}
}

// TestTTL: expired items vanish from every read and conditions at once,
// and the sweep deletes them from storage.
func TestTTL(t *testing.T) {
	srv := startServer(t, Config{DataDir: t.TempDir()})
	c := newClients(t, srv.URL(), "test", "test")
	ctx := context.Background()
	createSimple(t, c, "ttl")
	if _, err := c.ddb.UpdateTimeToLive(ctx, &dynamodb.UpdateTimeToLiveInput{TableName: str("ttl"),
		TimeToLiveSpecification: &types.TimeToLiveSpecification{AttributeName: str("exp"), Enabled: aws.Bool(true)}}); err != nil {
		t.Fatal(err)
	}
	now := time.Now().Unix()
	for id, exp := range map[string]int64{"past": now - 10, "future": now + 3600} {
		if _, err := c.ddb.PutItem(ctx, &dynamodb.PutItemInput{TableName: str("ttl"),
			Item: item{"id": s(id), "exp": n(strconv.FormatInt(exp, 10))}}); err != nil {
			t.Fatal(err)
		}
	}
	c.ddb.PutItem(ctx, &dynamodb.PutItemInput{TableName: str("ttl"), Item: item{"id": s("string-exp"), "exp": s("0")}})

	got, _ := c.ddb.GetItem(ctx, &dynamodb.GetItemInput{TableName: str("ttl"), Key: key("past")})
	if got.Item != nil {
		t.Errorf("expired item visible: %v", got.Item)
	}
	sc, _ := c.ddb.Scan(ctx, &dynamodb.ScanInput{TableName: str("ttl")})
	if sc.Count != 2 {
		t.Errorf("scan sees %d items, want future and string-exp", sc.Count)
	}
	// An expired item does not satisfy attribute_exists and can be
	// re-created with attribute_not_exists.
	if _, err := c.ddb.PutItem(ctx, &dynamodb.PutItemInput{TableName: str("ttl"), Item: item{"id": s("past")},
		ConditionExpression: str("attribute_not_exists(id)")}); err != nil {
		t.Errorf("re-create over expired item: %v", err)
	}
	c.ddb.PutItem(ctx, &dynamodb.PutItemInput{TableName: str("ttl"), Item: item{"id": s("gone"), "exp": n("1")}})
	swept, err := srv.DynamoDB().Sweep()
	if err != nil || swept != 1 {
		t.Errorf("Sweep = %d, %v; want 1", swept, err)
	}
	d, _ := c.ddb.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: str("ttl")})
	if aws.ToInt64(d.Table.ItemCount) != 3 {
		t.Errorf("ItemCount after sweep = %d, want 3", aws.ToInt64(d.Table.ItemCount))
	}
}

// TestNumberOrdering: sort keys beyond float64 precision keep their order.
func TestNumberOrdering(t *testing.T) {
	srv := startServer(t, Config{})
	c := newClients(t, srv.URL(), "test", "test")
	ctx := context.Background()
	_, err := c.ddb.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName: str("nums"),
		KeySchema: []types.KeySchemaElement{{AttributeName: str("pk"), KeyType: types.KeyTypeHash}, {AttributeName: str("sk"), KeyType: types.KeyTypeRange}},
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: str("pk"), AttributeType: types.ScalarAttributeTypeS},
			{AttributeName: str("sk"), AttributeType: types.ScalarAttributeTypeN}},
		BillingMode: types.BillingModePayPerRequest,
	})
	if err != nil {
		t.Fatal(err)
	}
	in := []string{"100.000000000000000000000000001", "1e2", "99.99999999999999999999999999", "-5", "0.5E-3"}
	for _, v := range in {
		if _, err := c.ddb.PutItem(ctx, &dynamodb.PutItemInput{TableName: str("nums"), Item: item{"pk": s("x"), "sk": n(v)}}); err != nil {
			t.Fatal(err)
		}
	}
	q, err := c.ddb.Query(ctx, &dynamodb.QueryInput{TableName: str("nums"), KeyConditionExpression: str("pk = :x AND sk > :lo"),
		ExpressionAttributeValues: item{":x": s("x"), ":lo": n("99.99999999999999999999999998")}})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, it := range q.Items {
		got = append(got, it["sk"].(*types.AttributeValueMemberN).Value)
	}
	want := []string{"99.99999999999999999999999999", "100", "100.000000000000000000000000001"}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] || got[2] != want[2] {
		t.Errorf("order = %v, want %v", got, want)
	}
}
