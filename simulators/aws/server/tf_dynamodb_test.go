package server

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// TestDynamoDBTags covers the tagging operations the Terraform provider
// reads and writes a table's tags with: tags given at CreateTable, added,
// overwritten and removed, refused on a missing table or reserved key.
func TestDynamoDBTags(t *testing.T) {
	srv := startServer(t, Config{})
	c := newClients(t, srv.URL(), "test", "test")
	ctx := context.Background()
	out, err := c.ddb.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName:            str("tagged"),
		KeySchema:            []types.KeySchemaElement{{AttributeName: str("id"), KeyType: types.KeyTypeHash}},
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: str("id"), AttributeType: types.ScalarAttributeTypeS}},
		BillingMode:          types.BillingModePayPerRequest,
		Tags:                 []types.Tag{{Key: str("team"), Value: str("a")}},
	})
	if err != nil {
		t.Fatal(err)
	}
	arn := out.TableDescription.TableArn
	missing := str("arn:aws:dynamodb:us-east-1:000000000000:table/nope")
	list := func() map[string]string {
		t.Helper()
		got, err := c.ddb.ListTagsOfResource(ctx, &dynamodb.ListTagsOfResourceInput{ResourceArn: arn})
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]string{}
		for _, tg := range got.Tags {
			m[*tg.Key] = *tg.Value
		}
		return m
	}
	for _, tc := range []struct {
		name     string
		call     func() error
		wantCode string
		want     map[string]string
	}{
		{"tags from CreateTable", func() error { return nil }, "", map[string]string{"team": "a"}},
		{"TagResource adds and overwrites", func() error {
			_, err := c.ddb.TagResource(ctx, &dynamodb.TagResourceInput{ResourceArn: arn, Tags: []types.Tag{{Key: str("team"), Value: str("b")}, {Key: str("env"), Value: str("sim")}}})
			return err
		}, "", map[string]string{"team": "b", "env": "sim"}},
		{"UntagResource removes", func() error {
			_, err := c.ddb.UntagResource(ctx, &dynamodb.UntagResourceInput{ResourceArn: arn, TagKeys: []string{"team", "absent"}})
			return err
		}, "", map[string]string{"env": "sim"}},
		{"reserved aws: prefix", func() error {
			_, err := c.ddb.TagResource(ctx, &dynamodb.TagResourceInput{ResourceArn: arn, Tags: []types.Tag{{Key: str("aws:x"), Value: str("1")}}})
			return err
		}, "ValidationException", map[string]string{"env": "sim"}},
		{"TagResource on a missing table", func() error {
			_, err := c.ddb.TagResource(ctx, &dynamodb.TagResourceInput{ResourceArn: missing, Tags: []types.Tag{{Key: str("k"), Value: str("v")}}})
			return err
		}, "ResourceNotFoundException", map[string]string{"env": "sim"}},
		{"ListTagsOfResource on a missing table", func() error {
			_, err := c.ddb.ListTagsOfResource(ctx, &dynamodb.ListTagsOfResourceInput{ResourceArn: missing})
			return err
		}, "ResourceNotFoundException", map[string]string{"env": "sim"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := errorCode(tc.call()); got != tc.wantCode {
				t.Fatalf("error = %q, want %q", got, tc.wantCode)
			}
			if got := list(); !equalMaps(got, tc.want) {
				t.Errorf("tags = %v, want %v", got, tc.want)
			}
		})
	}
}

// TestDynamoDBContinuousBackups: backups on, point-in-time recovery off,
// TableNotFoundException for a missing table (the provider tells an
// archived table by it).
func TestDynamoDBContinuousBackups(t *testing.T) {
	srv := startServer(t, Config{})
	c := newClients(t, srv.URL(), "test", "test")
	createSimple(t, c, "backed")
	ctx := context.Background()
	out, err := c.ddb.DescribeContinuousBackups(ctx, &dynamodb.DescribeContinuousBackupsInput{TableName: str("backed")})
	if err != nil {
		t.Fatal(err)
	}
	d := out.ContinuousBackupsDescription
	if d.ContinuousBackupsStatus != types.ContinuousBackupsStatusEnabled || d.PointInTimeRecoveryDescription.PointInTimeRecoveryStatus != types.PointInTimeRecoveryStatusDisabled {
		t.Errorf("description = %+v", d)
	}
	_, err = c.ddb.DescribeContinuousBackups(ctx, &dynamodb.DescribeContinuousBackupsInput{TableName: aws.String("nope")})
	if got := errorCode(err); got != "TableNotFoundException" {
		t.Errorf("missing table: %q", got)
	}
}

func equalMaps(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// TestDynamoDBWarmThroughput: DescribeTable reports a new table's warm
// throughput as ACTIVE; the Terraform provider waits for that status
// after CreateTable.
func TestDynamoDBWarmThroughput(t *testing.T) {
	srv := startServer(t, Config{})
	c := newClients(t, srv.URL(), "test", "test")
	createSimple(t, c, "warm")
	out, err := c.ddb.DescribeTable(context.Background(), &dynamodb.DescribeTableInput{TableName: str("warm")})
	if err != nil {
		t.Fatal(err)
	}
	w := out.Table.WarmThroughput
	if w == nil || w.Status != types.TableStatusActive || aws.ToInt64(w.ReadUnitsPerSecond) != 12000 || aws.ToInt64(w.WriteUnitsPerSecond) != 4000 {
		t.Errorf("warm throughput = %+v", w)
	}
}
