package dynamodb

import (
	"fmt"
	"strings"

	"github.com/sockerless/sockerless/simulators/kit/tags"
)

// Tag is a table tag, as DynamoDB's API spells it.
type Tag struct {
	Key   string `json:"Key"`
	Value string `json:"Value"`
}

// maxTags is DynamoDB's limit of tags on one resource.
const maxTags = 50

func (s *Service) tableARN(m tableMeta) string {
	return fmt.Sprintf("arn:aws:dynamodb:%s:%s:table/%s", m.Region, s.AccountID, m.Name)
}

// tableByARN finds the table an ARN names; tags live only on tables here.
func (s *Service) tableByARN(region, arn string) (*table, *apiError) {
	if arn == "" {
		return nil, validation("1 validation error detected: Value null at 'resourceArn' failed to satisfy constraint: Member must not be null")
	}
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "dynamodb" || !strings.HasPrefix(parts[5], "table/") {
		return nil, validation("Invalid TableArn: Invalid ResourceArn provided as input %s", arn)
	}
	name := strings.TrimPrefix(parts[5], "table/")
	t := s.St.table(parts[3], name)
	if t == nil || parts[4] != s.AccountID || parts[3] != region {
		return nil, notFound("Requested resource not found: ResourceArn: %s not found", arn)
	}
	return t, nil
}

// tagRules are DynamoDB's limits on a table's tags.
var tagRules = tags.Rules{MaxKey: 128, MaxValue: 256, MaxTags: maxTags, Reserved: "aws:"}

func tagPair(t Tag) (string, string) { return t.Key, t.Value }

// mergeTags sets add's tags over have's, checking DynamoDB's limits.
func mergeTags(have, add []Tag) ([]Tag, *apiError) {
	out, err := tags.Merge(have, add, tagPair, tagRules)
	if err == nil {
		return out, nil
	}
	switch err.Problem {
	case tags.BadKey:
		return nil, validation("1 validation error detected: Value '%s' at 'tags.member.key' failed to satisfy constraint: Member must have length between 1 and 128", err.Key)
	case tags.BadValue:
		return nil, validation("1 validation error detected: Value '%s' at 'tags.member.value' failed to satisfy constraint: Member must have length less than or equal to 256", err.Value)
	case tags.ReservedKey:
		return nil, validation("One or more parameter values were invalid: Tag keys starting with aws: are reserved for AWS use")
	}
	return nil, validation("One or more parameter values were invalid: Too many tags: a resource can have at most %d", maxTags)
}

type tagResourceInput struct {
	ResourceArn string `json:"ResourceArn"`
	Tags        []Tag  `json:"Tags"`
}

func (s *Service) tagResource(region string, in *tagResourceInput) (any, *apiError) {
	t, err := s.tableByARN(region, in.ResourceArn)
	if err != nil {
		return nil, err
	}
	if len(in.Tags) == 0 {
		return nil, validation("1 validation error detected: Value null at 'tags' failed to satisfy constraint: Member must not be null")
	}
	merged, err := mergeTags(t.meta.Tags, in.Tags)
	if err != nil {
		return nil, err
	}
	return s.setTags(t, merged)
}

type untagResourceInput struct {
	ResourceArn string   `json:"ResourceArn"`
	TagKeys     []string `json:"TagKeys"`
}

func (s *Service) untagResource(region string, in *untagResourceInput) (any, *apiError) {
	t, err := s.tableByARN(region, in.ResourceArn)
	if err != nil {
		return nil, err
	}
	if len(in.TagKeys) == 0 {
		return nil, validation("1 validation error detected: Value null at 'tagKeys' failed to satisfy constraint: Member must not be null")
	}
	return s.setTags(t, tags.Remove(t.meta.Tags, in.TagKeys, tagPair, tagRules))
}

func (s *Service) setTags(t *table, tt []Tag) (any, *apiError) {
	next := *t
	next.meta.Tags = tt
	if err := s.St.putTable(&next, false); err != nil {
		return nil, internal(err)
	}
	return struct{}{}, nil
}

type listTagsInput struct {
	ResourceArn string `json:"ResourceArn"`
	NextToken   string `json:"NextToken"`
}

// listTagsOfResource answers every tag in one page: a table has at most
// 50, and DynamoDB pages by 10 only when asked with a token it issued.
func (s *Service) listTagsOfResource(region string, in *listTagsInput) (any, *apiError) {
	t, err := s.tableByARN(region, in.ResourceArn)
	if err != nil {
		return nil, err
	}
	if in.NextToken != "" {
		return nil, validation("Invalid NextToken: %s", in.NextToken)
	}
	out := t.meta.Tags
	if out == nil {
		out = []Tag{}
	}
	return map[string]any{"Tags": out}, nil
}

// describeContinuousBackups reports backups on and point-in-time
// recovery off, as DynamoDB does for every new table; the simulator has
// no point-in-time recovery to turn on.
func (s *Service) describeContinuousBackups(region string, in *tableNameInput) (any, *apiError) {
	if in.TableName == "" {
		return nil, validation("1 validation error detected: Value null at 'tableName' failed to satisfy constraint: Member must not be null")
	}
	if s.St.table(region, in.TableName) == nil {
		return nil, &apiError{Type: nsDynamo + "TableNotFoundException", Message: "Table not found: " + in.TableName, Status: 400}
	}
	return map[string]any{"ContinuousBackupsDescription": map[string]any{
		"ContinuousBackupsStatus":        "ENABLED",
		"PointInTimeRecoveryDescription": map[string]string{"PointInTimeRecoveryStatus": "DISABLED"},
	}}, nil
}
