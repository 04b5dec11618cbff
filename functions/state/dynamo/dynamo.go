// Package dynamo implements state.Store on one DynamoDB table.
//
// Single-table design:
//
//	pk  (S, partition key) the store's partition, "k" unless New is given
//	    Partition: every record of a store lives in one item collection,
//	    so List by an arbitrary prefix is one Query (pk = partition AND
//	    begins_with(sk, prefix)) in key order. The control plane's state is
//	    small; one partition's throughput (1,000 writes, 3,000 reads per
//	    second) is far above what it needs. Stores with different
//	    partitions share a table and see nothing of each other.
//	sk  (S, sort key) the store key.
//	v   (B) the value; absent when the value is empty.
//	ver (N) the version, 1 on create, +1 per write.
//	exp (N) expiry in Unix milliseconds; absent without TTL. Visibility
//	    and every condition use it, because DynamoDB deletes expired items
//	    lazily (up to days later) and only at second granularity.
//	ttl (N) expiry in Unix seconds, rounded up: the table's TimeToLive
//	    attribute, so DynamoDB eventually sweeps what exp already hides.
//
// Writes are conditional (optimistic concurrency on ver, an expired item
// counts as absent); reads are strongly consistent.
package dynamo

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/sockerless/sockerless/functions/state"
)

// Attribute names and the default partition.
const (
	attrPK           = "pk"
	attrSK           = "sk"
	attrValue        = "v"
	attrVersion      = "ver"
	attrExp          = "exp"
	attrTTL          = "ttl"
	defaultPartition = "k"
)

// Store is a state.Store on a DynamoDB table made by CreateTable.
type Store struct {
	db        *dynamodb.Client
	table     string
	partition string
	now       func() time.Time
}

// Option tunes New.
type Option func(*Store)

// Partition keeps the store's records under partition key p, apart from
// other stores in the same table (one per backend, say).
func Partition(p string) Option { return func(s *Store) { s.partition = p } }

var _ state.Store = (*Store)(nil)

// New returns a store on an existing table; it checks that the table has
// the key schema this package writes.
func New(ctx context.Context, client *dynamodb.Client, table string, opts ...Option) (*Store, error) {
	out, err := client.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(table)})
	if err != nil {
		return nil, fmt.Errorf("dynamo: describe table %q: %w", table, err)
	}
	if err := checkSchema(out.Table); err != nil {
		return nil, fmt.Errorf("dynamo: table %q: %w", table, err)
	}
	st := &Store{db: client, table: table, partition: defaultPartition, now: time.Now}
	for _, o := range opts {
		o(st)
	}
	if st.partition == "" {
		return nil, errors.New("dynamo: empty partition")
	}
	return st, nil
}

func checkSchema(t *types.TableDescription) error {
	var hash, rng string
	for _, k := range t.KeySchema {
		switch k.KeyType {
		case types.KeyTypeHash:
			hash = aws.ToString(k.AttributeName)
		case types.KeyTypeRange:
			rng = aws.ToString(k.AttributeName)
		}
	}
	if hash != attrPK || rng != attrSK {
		return fmt.Errorf("key schema is (%q, %q), want (%q, %q); create it with CreateTable", hash, rng, attrPK, attrSK)
	}
	return nil
}

// Close does nothing: the client belongs to the caller.
func (s *Store) Close() error { return nil }

func (s *Store) key(k string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{
		attrPK: &types.AttributeValueMemberS{Value: s.partition},
		attrSK: &types.AttributeValueMemberS{Value: k},
	}
}

func millis(t time.Time) types.AttributeValue {
	return &types.AttributeValueMemberN{Value: strconv.FormatInt(t.UnixMilli(), 10)}
}

func number(n int64) types.AttributeValue {
	return &types.AttributeValueMemberN{Value: strconv.FormatInt(n, 10)}
}

// Condition fragments; "#e" is exp, "#v" is ver, ":now" the current time.
const (
	condLive    = "(attribute_not_exists(#e) OR #e > :now)"
	condAbsent  = "(attribute_not_exists(sk) OR #e <= :now)"
	condVersion = "#v = :expect AND " + condLive
)

// Get returns the live record under k.
func (s *Store) Get(ctx context.Context, k string) (state.Record, error) {
	if err := state.CheckKey(k); err != nil {
		return state.Record{}, err
	}
	out, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{
		TableName:      aws.String(s.table),
		Key:            s.key(k),
		ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return state.Record{}, fmt.Errorf("dynamo: get %q: %w", k, err)
	}
	r, live, err := decode(out.Item, s.now())
	if err != nil {
		return state.Record{}, err
	}
	if !live {
		return state.Record{}, fmt.Errorf("%w: %q", state.ErrNotFound, k)
	}
	return r, nil
}

// Put writes the whole item (so a write without TTL drops the old
// expiry) if the stored version is expect.
func (s *Store) Put(ctx context.Context, k string, value []byte, expect int64, ttl time.Duration) (int64, error) {
	if err := state.Check(k, value); err != nil {
		return 0, err
	}
	if expect < 0 || ttl < 0 {
		return 0, fmt.Errorf("%w: negative expect %d or ttl %v", state.ErrInvalid, expect, ttl)
	}
	now := s.now()
	item := s.key(k)
	item[attrVersion] = number(expect + 1)
	if len(value) > 0 {
		item[attrValue] = &types.AttributeValueMemberB{Value: value}
	}
	if ttl > 0 {
		exp := now.Add(ttl)
		item[attrExp] = millis(exp)
		item[attrTTL] = number((exp.UnixMilli() + 999) / 1000)
	}
	in := &dynamodb.PutItemInput{
		TableName:                aws.String(s.table),
		Item:                     item,
		ExpressionAttributeNames: map[string]string{"#e": attrExp},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":now": millis(now),
		},
	}
	if expect == 0 {
		in.ConditionExpression = aws.String(condAbsent)
	} else {
		in.ConditionExpression = aws.String(condVersion)
		in.ExpressionAttributeNames["#v"] = attrVersion
		in.ExpressionAttributeValues[":expect"] = number(expect)
	}
	if _, err := s.db.PutItem(ctx, in); err != nil {
		if ccf := (*types.ConditionalCheckFailedException)(nil); errors.As(err, &ccf) {
			return 0, fmt.Errorf("%w: put %q expecting version %d", state.ErrConflict, k, expect)
		}
		return 0, fmt.Errorf("dynamo: put %q: %w", k, err)
	}
	return expect + 1, nil
}

// Delete removes the record if its version is expect.
func (s *Store) Delete(ctx context.Context, k string, expect int64) error {
	if err := state.CheckKey(k); err != nil {
		return err
	}
	now := s.now()
	_, err := s.db.DeleteItem(ctx, &dynamodb.DeleteItemInput{
		TableName:                aws.String(s.table),
		Key:                      s.key(k),
		ConditionExpression:      aws.String(condVersion),
		ExpressionAttributeNames: map[string]string{"#e": attrExp, "#v": attrVersion},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":now":    millis(now),
			":expect": number(expect),
		},
		// The old item tells "absent" (ErrNotFound) from "other version".
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
	})
	ccf := (*types.ConditionalCheckFailedException)(nil)
	switch {
	case err == nil:
		return nil
	case !errors.As(err, &ccf):
		return fmt.Errorf("dynamo: delete %q: %w", k, err)
	}
	old := ccf.Item
	if old == nil {
		// Nothing came back: either the item is absent or the endpoint
		// does not return old items; a read settles which.
		if _, err := s.Get(ctx, k); err != nil {
			return err
		}
		return fmt.Errorf("%w: delete %q expecting version %d", state.ErrConflict, k, expect)
	}
	if _, live, err := decode(old, now); err != nil {
		return err
	} else if !live {
		return fmt.Errorf("%w: %q", state.ErrNotFound, k)
	}
	return fmt.Errorf("%w: delete %q expecting version %d", state.ErrConflict, k, expect)
}

// List returns live records under prefix after the key `after`. It reads
// until it has one live record past limit, so `next` is set exactly when
// more live records remain (expired items are skipped client-side, and
// DynamoDB's Limit counts them, so one Query page is not enough).
func (s *Store) List(ctx context.Context, prefix, after string, limit int) ([]state.Record, string, error) {
	if err := ctx.Err(); err != nil {
		return nil, "", err
	}
	if limit < 0 {
		return nil, "", fmt.Errorf("%w: negative limit %d", state.ErrInvalid, limit)
	}
	in := &dynamodb.QueryInput{
		TableName:                 aws.String(s.table),
		ConsistentRead:            aws.Bool(true),
		ScanIndexForward:          aws.Bool(true),
		KeyConditionExpression:    aws.String("pk = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": &types.AttributeValueMemberS{Value: s.partition}},
	}
	if prefix != "" {
		// An empty begins_with operand is rejected, hence only here.
		in.KeyConditionExpression = aws.String("pk = :pk AND begins_with(sk, :prefix)")
		in.ExpressionAttributeValues[":prefix"] = &types.AttributeValueMemberS{Value: prefix}
	}
	if after > prefix {
		if !strings.HasPrefix(after, prefix) {
			// after sorts past every key that starts with prefix.
			return nil, "", nil
		}
		// DynamoDB wants the start key inside the key condition's range,
		// which it now is; it need not exist.
		in.ExclusiveStartKey = s.key(after)
	}
	if limit > 0 {
		in.Limit = aws.Int32(int32(min(limit+1, 1000)))
	}
	now := s.now()
	var out []state.Record
	for {
		page, err := s.db.Query(ctx, in)
		if err != nil {
			return nil, "", fmt.Errorf("dynamo: list %q after %q: %w", prefix, after, err)
		}
		for _, item := range page.Items {
			r, live, err := decode(item, now)
			if err != nil {
				return nil, "", err
			}
			if !live {
				continue
			}
			if limit > 0 && len(out) == limit {
				return out, out[len(out)-1].Key, nil
			}
			out = append(out, r)
		}
		if len(page.LastEvaluatedKey) == 0 {
			return out, "", nil
		}
		in.ExclusiveStartKey = page.LastEvaluatedKey
	}
}
