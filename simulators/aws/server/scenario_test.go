package server

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// step is one SDK call of the conformance scenario. The scenario is
// stateful and runs in order; the same steps drive the differential run
// against moto, where check is not used.
type step struct {
	name  string
	run   func(ctx context.Context, c *clients) (any, error)
	check func(t *testing.T, out any, err error)
}

func call[T any](f func(context.Context, *clients) (T, error)) func(context.Context, *clients) (any, error) {
	return func(ctx context.Context, c *clients) (any, error) { return f(ctx, c) }
}

// ok asserts success and hands the typed output to f.
func ok[T any](f func(t *testing.T, out T)) func(*testing.T, any, error) {
	return func(t *testing.T, out any, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("unexpected error: %v", err)
		}
		if f != nil {
			f(t, out.(T))
		}
	}
}

// fails asserts the SDK returned the typed error E.
func fails[E error]() func(*testing.T, any, error) {
	return func(t *testing.T, _ any, err error) {
		t.Helper()
		var target E
		if !errors.As(err, &target) {
			t.Fatalf("want %T, got %v", target, err)
		}
	}
}

// failsWith asserts an error code the SDK has no typed error for.
func failsWith(code string) func(*testing.T, any, error) {
	return func(t *testing.T, _ any, err error) {
		t.Helper()
		if got := errorCode(err); got != code {
			t.Fatalf("want error %s, got %q (%v)", code, got, err)
		}
	}
}

// scenario lists every step, in order.
func scenario() []step {
	var all []step
	for _, part := range [][]step{tableSteps(), itemSteps(), updateSteps(), querySteps(), batchSteps(), closingSteps()} {
		all = append(all, part...)
	}
	return all
}

func TestConformance(t *testing.T) {
	srv := startServer(t, Config{DataDir: t.TempDir()})
	c := newClients(t, srv.URL(), "test", "test")
	ctx := context.Background()
	for _, st := range scenario() {
		t.Run(st.name, func(t *testing.T) {
			out, err := st.run(ctx, c)
			st.check(t, out, err)
		})
	}
}

func tableSteps() []step {
	things := &dynamodb.CreateTableInput{
		TableName: str("things"),
		KeySchema: []types.KeySchemaElement{
			{AttributeName: str("pk"), KeyType: types.KeyTypeHash},
			{AttributeName: str("sk"), KeyType: types.KeyTypeRange},
		},
		AttributeDefinitions: []types.AttributeDefinition{
			{AttributeName: str("pk"), AttributeType: types.ScalarAttributeTypeS},
			{AttributeName: str("sk"), AttributeType: types.ScalarAttributeTypeS},
		},
		BillingMode: types.BillingModePayPerRequest,
	}
	simple := &dynamodb.CreateTableInput{
		TableName:             str("simple"),
		KeySchema:             []types.KeySchemaElement{{AttributeName: str("id"), KeyType: types.KeyTypeHash}},
		AttributeDefinitions:  []types.AttributeDefinition{{AttributeName: str("id"), AttributeType: types.ScalarAttributeTypeS}},
		ProvisionedThroughput: &types.ProvisionedThroughput{ReadCapacityUnits: aws.Int64(5), WriteCapacityUnits: aws.Int64(5)},
	}
	return []step{
		{"CreateTable", call(func(ctx context.Context, c *clients) (*dynamodb.CreateTableOutput, error) {
			return c.ddb.CreateTable(ctx, things)
		}), ok(func(t *testing.T, o *dynamodb.CreateTableOutput) {
			if got := aws.ToString(o.TableDescription.TableArn); got != "arn:aws:dynamodb:us-east-1:000000000000:table/things" {
				t.Errorf("TableArn = %s", got)
			}
		})},
		{"CreateTable/provisioned", call(func(ctx context.Context, c *clients) (*dynamodb.CreateTableOutput, error) {
			return c.ddb.CreateTable(ctx, simple)
		}), ok[*dynamodb.CreateTableOutput](nil)},
		{"CreateTable/exists", call(func(ctx context.Context, c *clients) (*dynamodb.CreateTableOutput, error) {
			return c.ddb.CreateTable(ctx, things)
		}), fails[*types.ResourceInUseException]()},
		{"CreateTable/undefined key attribute", call(func(ctx context.Context, c *clients) (*dynamodb.CreateTableOutput, error) {
			bad := *simple
			bad.TableName = str("bad")
			bad.AttributeDefinitions = []types.AttributeDefinition{{AttributeName: str("other"), AttributeType: types.ScalarAttributeTypeS}}
			return c.ddb.CreateTable(ctx, &bad)
		}), failsWith("ValidationException")},
		{"DescribeTable", call(func(ctx context.Context, c *clients) (*dynamodb.DescribeTableOutput, error) {
			return c.ddb.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: str("things")})
		}), ok(func(t *testing.T, o *dynamodb.DescribeTableOutput) {
			if o.Table.TableStatus != types.TableStatusActive || len(o.Table.KeySchema) != 2 || o.Table.BillingModeSummary == nil {
				t.Errorf("table = %+v", o.Table)
			}
		})},
		{"DescribeTable/missing", call(func(ctx context.Context, c *clients) (*dynamodb.DescribeTableOutput, error) {
			return c.ddb.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: str("nope")})
		}), fails[*types.ResourceNotFoundException]()},
		{"ListTables", call(func(ctx context.Context, c *clients) (*dynamodb.ListTablesOutput, error) {
			return c.ddb.ListTables(ctx, &dynamodb.ListTablesInput{})
		}), ok(func(t *testing.T, o *dynamodb.ListTablesOutput) {
			if len(o.TableNames) != 2 || o.TableNames[0] != "simple" || o.TableNames[1] != "things" {
				t.Errorf("TableNames = %v", o.TableNames)
			}
		})},
		{"ListTables/paged", call(func(ctx context.Context, c *clients) (*dynamodb.ListTablesOutput, error) {
			return c.ddb.ListTables(ctx, &dynamodb.ListTablesInput{Limit: aws.Int32(1)})
		}), ok(func(t *testing.T, o *dynamodb.ListTablesOutput) {
			if len(o.TableNames) != 1 || aws.ToString(o.LastEvaluatedTableName) != "simple" {
				t.Errorf("page = %v, last %v", o.TableNames, aws.ToString(o.LastEvaluatedTableName))
			}
		})},
		{"UpdateTimeToLive", call(func(ctx context.Context, c *clients) (*dynamodb.UpdateTimeToLiveOutput, error) {
			return c.ddb.UpdateTimeToLive(ctx, &dynamodb.UpdateTimeToLiveInput{TableName: str("simple"),
				TimeToLiveSpecification: &types.TimeToLiveSpecification{AttributeName: str("expires"), Enabled: aws.Bool(true)}})
		}), ok[*dynamodb.UpdateTimeToLiveOutput](nil)},
		{"DescribeTimeToLive", call(func(ctx context.Context, c *clients) (*dynamodb.DescribeTimeToLiveOutput, error) {
			return c.ddb.DescribeTimeToLive(ctx, &dynamodb.DescribeTimeToLiveInput{TableName: str("simple")})
		}), ok(func(t *testing.T, o *dynamodb.DescribeTimeToLiveOutput) {
			d := o.TimeToLiveDescription
			if d.TimeToLiveStatus != types.TimeToLiveStatusEnabled || aws.ToString(d.AttributeName) != "expires" {
				t.Errorf("ttl = %+v", d)
			}
		})},
	}
}

func closingSteps() []step {
	return []step{
		{"DeleteTable", call(func(ctx context.Context, c *clients) (*dynamodb.DeleteTableOutput, error) {
			return c.ddb.DeleteTable(ctx, &dynamodb.DeleteTableInput{TableName: str("simple")})
		}), ok[*dynamodb.DeleteTableOutput](nil)},
		{"DeleteTable/missing", call(func(ctx context.Context, c *clients) (*dynamodb.DeleteTableOutput, error) {
			return c.ddb.DeleteTable(ctx, &dynamodb.DeleteTableInput{TableName: str("simple")})
		}), fails[*types.ResourceNotFoundException]()},
		{"GetItem/deleted table", call(func(ctx context.Context, c *clients) (*dynamodb.GetItemOutput, error) {
			return c.ddb.GetItem(ctx, &dynamodb.GetItemInput{TableName: str("simple"), Key: map[string]types.AttributeValue{"id": s("a")}})
		}), fails[*types.ResourceNotFoundException]()},
		{"GetCallerIdentity", call(func(ctx context.Context, c *clients) (*sts.GetCallerIdentityOutput, error) {
			return c.sts.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		}), ok(func(t *testing.T, o *sts.GetCallerIdentityOutput) {
			if aws.ToString(o.Account) != "000000000000" || aws.ToString(o.Arn) != "arn:aws:iam::000000000000:root" {
				t.Errorf("identity = %s %s", aws.ToString(o.Account), aws.ToString(o.Arn))
			}
		})},
	}
}
