package dynamodb

import (
	"crypto/rand"
	"fmt"
	"regexp"
	"slices"
	"sort"
)

type provisionedThroughput struct {
	ReadCapacityUnits  int64 `json:"ReadCapacityUnits"`
	WriteCapacityUnits int64 `json:"WriteCapacityUnits"`
}

type createTableInput struct {
	TableName              string                 `json:"TableName"`
	KeySchema              []keyElement           `json:"KeySchema"`
	AttributeDefinitions   []attributeDefinition  `json:"AttributeDefinitions"`
	BillingMode            string                 `json:"BillingMode"`
	ProvisionedThroughput  *provisionedThroughput `json:"ProvisionedThroughput"`
	GlobalSecondaryIndexes []any                  `json:"GlobalSecondaryIndexes"`
	LocalSecondaryIndexes  []any                  `json:"LocalSecondaryIndexes"`
	StreamSpecification    *struct {
		StreamEnabled bool
	} `json:"StreamSpecification"`
	Tags []Tag `json:"Tags"`
}

type tableNameInput struct {
	TableName string `json:"TableName"`
}

type tableDescription struct {
	TableName             string                `json:"TableName"`
	TableArn              string                `json:"TableArn"`
	TableId               string                `json:"TableId"`
	TableStatus           string                `json:"TableStatus"`
	CreationDateTime      float64               `json:"CreationDateTime"`
	KeySchema             []keyElement          `json:"KeySchema"`
	AttributeDefinitions  []attributeDefinition `json:"AttributeDefinitions"`
	ProvisionedThroughput struct {
		NumberOfDecreasesToday int64 `json:"NumberOfDecreasesToday"`
		ReadCapacityUnits      int64 `json:"ReadCapacityUnits"`
		WriteCapacityUnits     int64 `json:"WriteCapacityUnits"`
	} `json:"ProvisionedThroughput"`
	BillingModeSummary *struct {
		BillingMode string `json:"BillingMode"`
	} `json:"BillingModeSummary,omitempty"`
	ItemCount                 int64          `json:"ItemCount"`
	TableSizeBytes            int64          `json:"TableSizeBytes"`
	DeletionProtectionEnabled bool           `json:"DeletionProtectionEnabled"`
	WarmThroughput            warmThroughput `json:"WarmThroughput"`
}

// warmThroughput is what a table can serve at once; DynamoDB reports
// 12,000 reads and 4,000 writes per second for every new table, and the
// Terraform provider waits for its status to be ACTIVE.
type warmThroughput struct {
	ReadUnitsPerSecond  int64  `json:"ReadUnitsPerSecond"`
	WriteUnitsPerSecond int64  `json:"WriteUnitsPerSecond"`
	Status              string `json:"Status"`
}

var tableNameRE = regexp.MustCompile(`^[a-zA-Z0-9_.-]+$`)

func checkTableName(name string) *apiError {
	switch {
	case len(name) < 3:
		return validation("1 validation error detected: Value '%s' at 'tableName' failed to satisfy constraint: Member must have length greater than or equal to 3", name)
	case len(name) > 255:
		return validation("1 validation error detected: Value '%s' at 'tableName' failed to satisfy constraint: Member must have length less than or equal to 255", name)
	case !tableNameRE.MatchString(name):
		return validation("1 validation error detected: Value '%s' at 'tableName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+", name)
	}
	return nil
}

func (s *Service) describe(t *table, status string) tableDescription {
	m := t.meta
	d := tableDescription{
		TableName:            m.Name,
		TableArn:             s.tableARN(m),
		TableId:              m.ID,
		TableStatus:          status,
		CreationDateTime:     float64(m.Created.UnixMilli()) / 1000,
		KeySchema:            m.KeySchema,
		AttributeDefinitions: m.AttributeDefinitions,
		ItemCount:            int64(t.count),
		TableSizeBytes:       int64(t.bytes),
		WarmThroughput:       warmThroughput{ReadUnitsPerSecond: 12000, WriteUnitsPerSecond: 4000, Status: "ACTIVE"},
	}
	d.ProvisionedThroughput.ReadCapacityUnits = m.ReadCapacity
	d.ProvisionedThroughput.WriteCapacityUnits = m.WriteCapacity
	if m.BillingMode == "PAY_PER_REQUEST" {
		d.BillingModeSummary = &struct {
			BillingMode string `json:"BillingMode"`
		}{m.BillingMode}
	}
	return d
}

func (s *Service) createTable(region string, in *createTableInput) (any, *apiError) {
	if err := checkTableName(in.TableName); err != nil {
		return nil, err
	}
	if len(in.GlobalSecondaryIndexes) > 0 || len(in.LocalSecondaryIndexes) > 0 {
		return nil, validation("awssim: secondary indexes are not supported by this simulator yet")
	}
	if err := checkKeySchema(in.KeySchema, in.AttributeDefinitions); err != nil {
		return nil, err
	}
	tags, err := mergeTags(nil, in.Tags)
	if err != nil {
		return nil, err
	}
	m := tableMeta{Region: region, Name: in.TableName, ID: newID(), Created: s.Now(),
		KeySchema: in.KeySchema, AttributeDefinitions: in.AttributeDefinitions, BillingMode: in.BillingMode, Tags: tags}
	switch in.BillingMode {
	case "PAY_PER_REQUEST":
		if in.ProvisionedThroughput != nil {
			return nil, validation("One or more parameter values were invalid: Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST")
		}
	case "", "PROVISIONED":
		pt := in.ProvisionedThroughput
		if pt == nil {
			return nil, validation("One or more parameter values were invalid: ReadCapacityUnits and WriteCapacityUnits must both be specified when BillingMode is PROVISIONED")
		}
		if pt.ReadCapacityUnits < 1 || pt.WriteCapacityUnits < 1 {
			return nil, validation("One or more parameter values were invalid: Provisioned throughput for the table cannot be less than 1")
		}
		m.ReadCapacity, m.WriteCapacity = pt.ReadCapacityUnits, pt.WriteCapacityUnits
	default:
		return nil, validation("1 validation error detected: Value '%s' at 'billingMode' failed to satisfy constraint: Member must satisfy enum value set: [PROVISIONED, PAY_PER_REQUEST]", in.BillingMode)
	}
	if s.St.table(region, in.TableName) != nil {
		return nil, inUse("Table already exists: %s", in.TableName)
	}
	t := newTable(m)
	if err := s.St.putTable(t, true); err != nil {
		return nil, internal(err)
	}
	// DynamoDB answers CREATING and flips to ACTIVE later; tables here are
	// usable at once, so the description already says ACTIVE (SDK waiters
	// accept both).
	return map[string]any{"TableDescription": s.describe(t, "ACTIVE")}, nil
}

func checkKeySchema(ks []keyElement, defs []attributeDefinition) *apiError {
	if len(ks) == 0 || len(ks) > 2 || ks[0].KeyType != "HASH" || len(ks) == 2 && ks[1].KeyType != "RANGE" {
		return validation("1 validation error detected: Value at 'keySchema' failed to satisfy constraint: Member must be a hash key optionally followed by a range key")
	}
	types := map[string]string{}
	var names []string
	for _, d := range defs {
		if !slices.Contains([]string{"S", "N", "B"}, d.AttributeType) {
			return validation("1 validation error detected: Value '%s' at 'attributeDefinitions.member.attributeType' failed to satisfy constraint: Member must satisfy enum value set: [B, N, S]", d.AttributeType)
		}
		types[d.AttributeName] = d.AttributeType
		names = append(names, d.AttributeName)
	}
	for _, k := range ks {
		if _, ok := types[k.AttributeName]; !ok {
			return validation("One or more parameter values were invalid: Some index key attributes are not defined in AttributeDefinitions. Keys: [%s], AttributeDefinitions: [%s]", k.AttributeName, joinNames(names))
		}
	}
	if len(defs) != len(ks) {
		return validation("One or more parameter values were invalid: Number of attributes in KeySchema does not exactly match number of attributes defined in AttributeDefinitions")
	}
	return nil
}

func joinNames(n []string) string {
	out := ""
	for i, s := range n {
		if i > 0 {
			out += ", "
		}
		out += s
	}
	return out
}

func newID() string {
	var b [16]byte
	rand.Read(b[:])
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

// findTable returns the table or the error item operations give.
func (s *Service) findTable(region, name string) (*table, *apiError) {
	if name == "" {
		return nil, validation("1 validation error detected: Value null at 'tableName' failed to satisfy constraint: Member must not be null")
	}
	t := s.St.table(region, name)
	if t == nil {
		return nil, missingTable()
	}
	return t, nil
}

func (s *Service) describeTable(region string, in *tableNameInput) (any, *apiError) {
	t := s.St.table(region, in.TableName)
	if t == nil {
		return nil, tableNotFound(in.TableName)
	}
	return map[string]any{"Table": s.describe(t, "ACTIVE")}, nil
}

func (s *Service) deleteTable(region string, in *tableNameInput) (any, *apiError) {
	t := s.St.table(region, in.TableName)
	if t == nil {
		return nil, tableNotFound(in.TableName)
	}
	if err := s.St.dropTable(t); err != nil {
		return nil, internal(err)
	}
	return map[string]any{"TableDescription": s.describe(t, "DELETING")}, nil
}

type listTablesInput struct {
	ExclusiveStartTableName string `json:"ExclusiveStartTableName"`
	Limit                   *int   `json:"Limit"`
}

func (s *Service) listTables(region string, in *listTablesInput) (any, *apiError) {
	limit := 100
	if in.Limit != nil {
		if *in.Limit < 1 || *in.Limit > 100 {
			return nil, validation("1 validation error detected: Value '%d' at 'limit' failed to satisfy constraint: Member must have value between 1 and 100", *in.Limit)
		}
		limit = *in.Limit
	}
	var names []string
	for _, t := range s.St.tables {
		if t.meta.Region == region && t.meta.Name > in.ExclusiveStartTableName {
			names = append(names, t.meta.Name)
		}
	}
	sort.Strings(names)
	out := map[string]any{}
	if len(names) > limit {
		names = names[:limit]
		out["LastEvaluatedTableName"] = names[limit-1]
	}
	if names == nil {
		names = []string{}
	}
	out["TableNames"] = names
	return out, nil
}

type ttlSpec struct {
	AttributeName string `json:"AttributeName"`
	Enabled       bool   `json:"Enabled"`
}

type updateTTLInput struct {
	TableName               string  `json:"TableName"`
	TimeToLiveSpecification ttlSpec `json:"TimeToLiveSpecification"`
}

func (s *Service) updateTimeToLive(region string, in *updateTTLInput) (any, *apiError) {
	t, err := s.findTable(region, in.TableName)
	if err != nil {
		return nil, err
	}
	spec := in.TimeToLiveSpecification
	if spec.AttributeName == "" {
		return nil, validation("1 validation error detected: Value null at 'timeToLiveSpecification.attributeName' failed to satisfy constraint: Member must not be null")
	}
	if spec.Enabled == t.meta.TTLEnabled {
		state := map[bool]string{true: "enabled", false: "disabled"}[spec.Enabled]
		return nil, validation("TimeToLive is already %s", state)
	}
	next := *t
	next.meta.TTLEnabled, next.meta.TTLAttribute = spec.Enabled, spec.AttributeName
	if err := s.St.putTable(&next, false); err != nil {
		return nil, internal(err)
	}
	return map[string]any{"TimeToLiveSpecification": spec}, nil
}

func (s *Service) describeTimeToLive(region string, in *tableNameInput) (any, *apiError) {
	t, err := s.findTable(region, in.TableName)
	if err != nil {
		return nil, err
	}
	d := map[string]string{"TimeToLiveStatus": "DISABLED"}
	if t.meta.TTLEnabled {
		d = map[string]string{"TimeToLiveStatus": "ENABLED", "AttributeName": t.meta.TTLAttribute}
	}
	return map[string]any{"TimeToLiveDescription": d}, nil
}
